import Foundation
import Standard
import Testing
import JSON

/// init, import, export, status, conflicts and audit on real node directories.
@Suite struct NodeCommandTests {
    func node(_ dir: String, _ id: String) throws -> String {
        let r = try CLI.run(["init", "--node-id", id, "--dir", id], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        return "\(id)/hutong.toml"
    }

    @Test func initRefusesToReuseANode() throws {
        let dir = try CLI.temporaryDirectory()
        _ = try node(dir, "bj-amr")
        let again = try CLI.run(["init", "--node-id", "other", "--dir", "bj-amr"], in: dir)
        #expect(again.status == 2 && again.stderr.contains("never overwritten"))
        #expect(try CLI.run(["init", "--node-id", "Bad_ID", "--dir", "x"], in: dir).status == 2)
        let toml = try String(contentsOfFile: dir + "/bj-amr/hutong.toml", encoding: .utf8)
        #expect(toml.contains("id = \"bj-amr\"") && toml.contains("# An id is never reused"))
        let missing = try CLI.run(["status", "--config", "nowhere/hutong.toml"], in: dir)
        #expect(missing.status == 2 && missing.stderr.contains("hutong init"))
    }

    @Test func exportImportRoundTripAndReview() throws {
        let dir = try CLI.temporaryDirectory()
        let a = try node(dir, "bj-amr"), b = try node(dir, "sh-police")
        #expect(try CLI.run(["sample", "--type", "penalty", "--count", "60", "--invalid-ratio", "0.1", "--seed", "9", "-o", "p.ndjson", "--manifest", "m.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["sample", "--type", "case_transfer", "--count", "5", "--seed", "9", "-o", "t.ndjson"], in: dir).status == 0)
        let invalid = try String(contentsOfFile: dir + "/m.ndjson", encoding: .utf8).split(separator: "\n").count
        let imported = try CLI.run(["import", "--config", a, "p.ndjson", "t.ndjson"], in: dir)
        #expect(imported.status == 1)  // some records were quarantined
        #expect(imported.stdout.contains("\(60 - invalid) written, \(invalid) quarantined"))
        let quarantined = try CLI.run(["quarantine", "list", "--limit", "100", "--config", a], in: dir)
        #expect(quarantined.stdout.components(separatedBy: "import p.ndjson").count - 1 == invalid)
        // The reason names the file, the line and the field, and quotes no personal ID number.
        #expect(quarantined.stdout.contains("p.ndjson:") && quarantined.stdout.range(of: #"[0-9]{17}[0-9X]"#, options: .regularExpression) == nil)
        let status = try JSONParser.parse(try CLI.run(["status", "--json", "--config", a], in: dir).stdout)
        #expect(status["records"]?["penalty"]?.intValue == Int64(60 - invalid) && status["quarantined"]?.intValue == Int64(invalid))

        #expect(try CLI.run(["export", "--config", a, "-o", "a.ndjson"], in: dir).status == 0)
        let first = try CLI.run(["import", "--config", b, "a.ndjson"], in: dir)
        #expect(first.status == 0 && first.stdout.contains("\(65 - invalid) applied"))
        let repeated = try CLI.run(["import", "--config", b, "a.ndjson"], in: dir)
        #expect(repeated.stdout.contains("\(65 - invalid) already imported"))
        let bStatus = try JSONParser.parse(try CLI.run(["status", "--json", "--config", b], in: dir).stdout)
        #expect(bStatus["cursors"]?.arrayValue?.first?["sequence"] == status["last_seq"])
        // An export cut short (its end line lost): what is in it is imported, the cursor stays, and the summary says so.
        let c = try node(dir, "gd-customs")
        let exported = try String(contentsOfFile: dir + "/a.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(exported.last?.contains("\"batch_end\":true") == true)
        try (exported.dropLast(3).joined(separator: "\n") + "\n").write(toFile: dir + "/cut.ndjson", atomically: true, encoding: .utf8)
        let cut = try CLI.run(["import", "--config", c, "cut.ndjson"], in: dir)
        #expect(cut.stdout.contains("\(65 - invalid - 2) applied") && cut.stdout.contains("no end line"), "\(cut.stdout)")
        let cStatus = try JSONParser.parse(try CLI.run(["status", "--json", "--config", c], in: dir).stdout)
        #expect(cStatus["cursors"]?.arrayValue?.contains { $0["direction"] == "pull" } == false, "\(cStatus)")

        // The same case transfer edited at both nodes: a manual conflict, reviewed at A.
        let line = try String(contentsOfFile: dir + "/t.ndjson", encoding: .utf8).split(separator: "\n")[0]
        var record = try JSONParser.parse(String(line)).objectValue!
        record["suspected_crime"] = "测试罪名甲"
        try JSONWriter.string(.object(record)).write(toFile: dir + "/ta.ndjson", atomically: true, encoding: .utf8)
        record["suspected_crime"] = "测试罪名乙"
        try JSONWriter.string(.object(record)).write(toFile: dir + "/tb.ndjson", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["import", "--config", a, "ta.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["import", "--config", b, "tb.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["export", "--config", a, "--for-peer", "sh-police", "-o", "a2.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["import", "--config", b, "a2.ndjson"], in: dir).stdout.contains("1 conflict"))
        #expect(try CLI.run(["export", "--config", b, "--for-peer", "bj-amr", "-o", "b2.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["import", "--config", a, "b2.ndjson"], in: dir).status == 0)
        let open = try CLI.run(["conflicts", "list", "--config", a], in: dir)
        #expect(open.stdout.contains("case_transfer") && open.stdout.contains("OPEN"))
        let show = try CLI.run(["conflicts", "show", "1", "--config", a], in: dir)
        #expect(show.stdout.contains("suspected_crime") && show.stdout.contains("测试罪名甲") && show.stdout.contains("测试罪名乙"))
        let resolved = try CLI.run(["conflicts", "resolve", "1", "--keep", "remote", "--config", a], in: dir)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(try CLI.run(["export", "--config", a, "--for-peer", "sh-police", "-o", "a3.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["import", "--config", b, "a3.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["conflicts", "list", "--config", b], in: dir).stdout.contains("no open conflicts"))
        // Both nodes hold the same records.
        let la = try CLI.run(["records", "list", "--json", "--limit", "1000", "--config", a], in: dir).lines
        let lb = try CLI.run(["records", "list", "--json", "--limit", "1000", "--config", b], in: dir).lines
        func key(_ l: String) throws -> String {
            let e = try JSONParser.parse(l)
            return "\(e["id"]!) \(JSONWriter.string(e["vv"]!)) \(e["hash"]!) \(e["deleted"]!)"
        }
        #expect(try la.map(key) == lb.map(key) && la.count == 65 - invalid)
        #expect(try CLI.run(["audit", "verify", "--config", b], in: dir).stdout.contains("intact"))
    }

    @Test func anEnvelopeChangedAfterExportIsQuarantined() throws {
        let dir = try CLI.temporaryDirectory()
        let (a, b) = (try node(dir, "bj-amr"), try node(dir, "sh-police"))
        #expect(try CLI.run(["sample", "--type", "penalty", "--count", "3", "--seed", "4", "-o", "p.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["import", "--config", a, "p.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["export", "--config", a, "-o", "a.ndjson"], in: dir).status == 0)
        // Change one fine amount in the second envelope, leaving its hash as it was.
        var lines = try String(contentsOfFile: dir + "/a.ndjson", encoding: .utf8).split(separator: "\n").map(String.init)
        var env = try JSONParser.parse(lines[2]).objectValue!
        var body = env["body"]!.objectValue!
        body["remarks"] = "改过的"
        env["body"] = .object(body)
        lines[2] = JSONWriter.string(.object(env))
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/a.ndjson", atomically: true, encoding: .utf8)
        let r = try CLI.run(["import", "--config", b, "a.ndjson"], in: dir)
        #expect(r.status == 1)
        let q = try CLI.run(["quarantine", "list", "--config", b], in: dir).stdout
        #expect(q.contains("a.ndjson:3: record \(env["id"]!.stringValue!): its hash does not match its body"))
        let status = try JSONParser.parse(try CLI.run(["status", "--json", "--config", b], in: dir).stdout)
        #expect(status["records"]?["penalty"]?.intValue == 2)
    }
}
