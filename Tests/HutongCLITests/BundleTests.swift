import Foundation
import Testing
import JSON

/// Nodes that never open a socket to each other (their peers are `file://`
/// links) exchanging records through `hutong bundle create` / `bundle apply`,
/// with acknowledgements going back, over a link that loses, repeats and
/// reorders files, and carries forged and misaddressed ones.
@Suite(.serialized) struct BundleTests {
    /// Writes sample records of `type` at node `n` and imports them.
    static func add(_ c: Cluster, _ n: String, _ type: String, count: Int, seed: Int) throws {
        let made = try CLI.run(["sample", "--type", type, "--count", "\(count)", "--seed", "\(seed)", "-o", "\(n)/\(type)-\(seed).ndjson"], in: c.dir)
        try #require(made.status == 0, "\(made.stderr)")
        try #require(try c.run(n, ["import", "\(n)/\(type)-\(seed).ndjson"]).status == 0)
    }

    /// Edits `count` of node `n`'s records of `type` (their remarks), as a clerk would.
    static func edit(_ c: Cluster, _ n: String, _ type: String, count: Int, note: String) throws {
        let bodies = try c.run(n, ["records", "list", "--type", type, "--json", "--limit", "\(count)"]).lines.compactMap { line -> String? in
            guard var body = try JSONParser.parse(line)["body"]?.objectValue else { return nil }
            body["remarks"] = .string(note)
            return JSONWriter.string(.object(body))
        }
        try #require(bodies.count == count)
        try (bodies.joined(separator: "\n") + "\n").write(toFile: "\(c.dir)/\(n)/edit.ndjson", atomically: true, encoding: .utf8)
        try #require(try c.run(n, ["import", "\(n)/edit.ndjson"]).status == 0)
    }

    func create(_ c: Cluster, _ n: String, for peer: String, _ file: String) throws -> CLIRun {
        try c.run(n, ["bundle", "create", "--for-peer", peer, "-o", file])
    }

    func apply(_ c: Cluster, _ n: String, _ files: [String], ackDir: String? = nil) throws -> CLIRun {
        try c.run(n, ["bundle", "apply"] + files + ["--ack-dir", ackDir ?? "\(n)-acks"])
    }

    /// Gives node-a and node-b the acknowledgements the other wrote; each must be taken.
    func carryAcknowledgements(_ c: Cluster) throws {
        for (n, peer) in [("node-a", "node-b"), ("node-b", "node-a")] {
            let acks = try FileManager.default.contentsOfDirectory(atPath: "\(c.dir)/\(peer)-acks").filter { $0.hasPrefix("ack-\(peer)-to-\(n)") }
            let r = try apply(c, n, acks.map { "\(peer)-acks/\($0)" })
            #expect(r.status == 0, "\(r.stdout)")
        }
    }

    @Test func twoNodesConvergeThroughBundlesOnly() throws {
        let c = try Cluster(["node-a", "node-b", "node-c"], fileLink: true)
        for n in c.names { try FileManager.default.createDirectory(atPath: "\(c.dir)/\(n)-acks", withIntermediateDirectories: true) }
        try Self.add(c, "node-a", "penalty", count: 30, seed: 1)
        try Self.add(c, "node-b", "violation_lead", count: 20, seed: 2)

        // Both ways once; the acknowledgements go back.
        #expect(try create(c, "node-a", for: "node-b", "a1.hb").stdout.contains("30 records"))
        #expect(try create(c, "node-b", for: "node-a", "b1.hb").stdout.contains("20 records"))
        let a1 = try apply(c, "node-b", ["a1.hb"])
        #expect(a1.status == 0 && a1.stdout.contains("30 stored") && a1.stdout.contains("holds node-a's log up to 30"), "\(a1.stdout)\(a1.stderr)")
        #expect(try apply(c, "node-a", ["b1.hb"]).status == 0)
        let acked = try apply(c, "node-a", ["node-b-acks/ack-node-b-to-node-a-30.json"])
        #expect(acked.status == 0 && acked.stdout.contains("node-b holds this node's log up to 30"), "\(acked.stdout)")

        // Edits on both sides of the same records; node-a's next bundle is lost on the way.
        try Self.edit(c, "node-a", "penalty", count: 5, note: "甲方更正一")
        try Self.edit(c, "node-b", "penalty", count: 5, note: "乙方更正")
        #expect(try create(c, "node-a", for: "node-b", "a2-lost.hb").status == 0)
        try Self.add(c, "node-a", "penalty", count: 10, seed: 3)
        // Without an acknowledgement of a2, a3 starts where node-b last acknowledged: it carries a2's changes too.
        #expect(try create(c, "node-a", for: "node-b", "a3.hb").stdout.contains("sequence 31–"))
        try Self.edit(c, "node-a", "penalty", count: 5, note: "甲方更正二")
        #expect(try create(c, "node-a", for: "node-b", "a4.hb").status == 0)
        // Out of order: the newer a4 first, then the older a3, which must not undo a4's edits.
        #expect(try apply(c, "node-b", ["a4.hb"]).status == 0)
        let late = try apply(c, "node-b", ["a3.hb"])
        #expect(late.status == 0 && late.stdout.contains("0 stored"), "an older bundle stored something over a newer one: \(late.stdout)")
        // Given twice: nothing changes, and the audit log says so.
        let twice = try apply(c, "node-b", ["a4.hb"])
        #expect(twice.status == 0 && twice.stdout.contains("applied before; nothing changed"), "\(twice.stdout)")
        #expect(try c.run("node-b", ["audit", "list", "--limit", "50"]).stdout.contains("was applied before"))

        // node-b's side back to node-a, and every acknowledgement home.
        #expect(try create(c, "node-b", for: "node-a", "b2.hb").status == 0)
        #expect(try apply(c, "node-a", ["b2.hb"]).status == 0)
        try carryAcknowledgements(c)
        // Converged: the same records, versions and contents at both.
        var rounds = 0
        while rounds < 4 {
            rounds += 1
            let ab = try create(c, "node-a", for: "node-b", "x-a.hb"), ba = try create(c, "node-b", for: "node-a", "x-b.hb")
            if ab.stdout.contains("lacks nothing") && ba.stdout.contains("lacks nothing") { break }
            if !ab.stdout.contains("lacks nothing") { #expect(try apply(c, "node-b", ["x-a.hb"]).status == 0) }
            if !ba.stdout.contains("lacks nothing") { #expect(try apply(c, "node-a", ["x-b.hb"]).status == 0) }
            try carryAcknowledgements(c)
        }
        let (sa, sb) = (try c.state("node-a"), try c.state("node-b"))
        #expect(sa.count == 60 && sa == sb, "node-a \(sa.count) records, node-b \(sb.count); \(rounds) rounds")
        // The concurrent edits met as conflicts, settled the same way at both.
        #expect(try c.run("node-b", ["audit", "list", "--limit", "1000"]).stdout.contains("conflict"))
        for n in ["node-a", "node-b"] { #expect(try c.run(n, ["audit", "verify"]).stdout.contains("intact")) }
    }

    @Test func forgedAlteredAndMisaddressedBundlesAreRefusedWhole() throws {
        let c = try Cluster(["node-a", "node-b", "node-c"], fileLink: true)
        try Self.add(c, "node-a", "penalty", count: 12, seed: 4)
        let before = try c.state("node-b")

        // A folder that is not there: a clear message, and no file.
        let nowhere = try create(c, "node-a", for: "node-b", "no-such-folder/x.hb")
        #expect(nowhere.status == 2 && nowhere.stderr.contains("cannot write no-such-folder/x.hb.part1.tmp"), "\(nowhere.stderr)")
        // Misaddressed: made for node-c, given to node-b.
        #expect(try create(c, "node-a", for: "node-c", "for-c.hb").status == 0)
        let wrong = try apply(c, "node-b", ["for-c.hb"])
        #expect(wrong.status == 1 && wrong.stdout.contains("addressed to node-c, not to this node (node-b)"), "\(wrong.stdout)")

        // Forged: a node calling itself node-a, with a key of its own.
        let forger = try Cluster(["node-a", "node-b"], fileLink: true)
        try Self.add(forger, "node-a", "penalty", count: 3, seed: 5)
        #expect(try create(forger, "node-a", for: "node-b", "\(c.dir)/forged.hb").status == 0)
        let forged = try apply(c, "node-b", ["forged.hb"])
        #expect(forged.status == 1 && forged.stdout.contains("does not verify against node-a's signing key"), "\(forged.stdout)")

        // Altered: a record's content changed inside a genuine bundle, recompressed.
        #expect(try create(c, "node-a", for: "node-b", "genuine.hb").status == 0)
        let plain = try CLI.run(["-dc", "genuine.hb"], in: c.dir, executable: "/bin/gzip").stdout
        var lines = plain.components(separatedBy: "\n")
        // The same JSON, spaced otherwise: the batch's signature covers its bytes.
        let i = try #require(lines.firstIndex { $0.contains("\"body\"") })
        lines[i] = lines[i].replacingOccurrences(of: "\"body\":", with: "\"body\": ")
        try lines.joined(separator: "\n").write(toFile: "\(c.dir)/altered", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["-c", "gzip -c altered > altered.hb"], in: c.dir, executable: "/bin/sh").status == 0)
        let altered = try apply(c, "node-b", ["altered.hb"])
        #expect(altered.status == 1 && altered.stdout.contains("refused"), "\(altered.stdout)")
        // Cut short in transfer: refused, and the whole file later applies.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(c.dir)/genuine.hb"))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: "\(c.dir)/cut.hb"))
        let cut = try apply(c, "node-b", ["cut.hb"])
        #expect(cut.status == 1 && cut.stdout.contains("cut short"), "\(cut.stdout)")

        // None of it reached the store; each refusal is in the audit log.
        #expect(try c.state("node-b").count <= before.count + 12)
        let audit = try c.run("node-b", ["audit", "list", "--limit", "50"]).stdout
        #expect(audit.components(separatedBy: "bundle-refused").count - 1 >= 4, "\(audit)")
        let whole = try apply(c, "node-b", ["genuine.hb"])
        let held = try c.state("node-b").count
        #expect(whole.status == 0 && held == 12, "\(whole.stdout)")
        // node-a's own bundle given back to it, and an acknowledgement that is not one.
        #expect(try apply(c, "node-a", ["genuine.hb"]).stdout.contains("written by this node itself"))
        try "{\"hutong_ack\":1}\n".write(toFile: "\(c.dir)/bad-ack.json", atomically: true, encoding: .utf8)
        #expect(try apply(c, "node-a", ["bad-ack.json"]).status == 1)
    }

    /// Grants that differ each way hold over files as over HTTPS: the sender
    /// sends what the peer may pull, masked without the personal grant; the
    /// receiver quarantines what the sender may not write there; a widened
    /// grant makes the next bundle start over, unmasked.
    @Test func grantsAndMaskingHoldOverFiles() throws {
        let c = try Cluster(["node-a", "node-b"], grants: ["node-a>node-b": ["--grant-pull", "penalty,violation_lead", "--grant-push", "penalty"],
                                                          "node-b>node-a": ["--grant-pull", "penalty", "--grant-push", "penalty"]], fileLink: true)
        try Self.add(c, "node-a", "penalty", count: 50, seed: 9)
        try Self.add(c, "node-a", "violation_lead", count: 20, seed: 9)
        func masked() throws -> Int {
            try c.run("node-b", ["records", "list", "--json", "--limit", "1000"]).lines.filter {
                !(try JSONParser.parse($0)["masked"]?.arrayValue ?? []).isEmpty
            }.count
        }
        #expect(try create(c, "node-a", for: "node-b", "a1.hb").stdout.contains("70 records"))
        let first = try apply(c, "node-b", ["a1.hb"])
        // node-a sends leads (node-b may pull them there), but node-b lets node-a write penalties only.
        #expect(first.status == 1 && first.stdout.contains("50 stored") && first.stdout.contains("20 quarantined"), "\(first.stdout)")
        let held = try JSONParser.parse(try c.run("node-b", ["status", "--json"]).stdout)["records"]
        let maskedFirst = try masked()
        #expect(held?["penalty"]?.intValue == 50 && held?["violation_lead"] == nil && maskedFirst > 0, "\(String(describing: held))")
        // node-b's acknowledgement home, then node-a's operator lets node-b see personal information.
        #expect(try apply(c, "node-a", ["node-b-acks/ack-node-b-to-node-a-70.json"]).status == 0)
        try c.editConfig("node-a", [("personal = false", "personal = true")])
        let second = try create(c, "node-a", for: "node-b", "a2.hb")
        #expect(second.stdout.contains("sequence 1–70"), "the widened grant did not start the bundle over: \(second.stdout)")
        // The leads are refused again (node-b's push grant is unchanged); the penalties come unmasked.
        let reapplied = try apply(c, "node-b", ["a2.hb"])
        #expect(reapplied.status == 1 && reapplied.stdout.contains("20 quarantined"), "\(reapplied.stdout)")
        #expect(try masked() == 0)
    }

    @Test func partsUnderASizeLimitApplyInAnyOrder() throws {
        let c = try Cluster(["node-a", "node-b"], fileLink: true)
        try Self.add(c, "node-a", "penalty", count: 6_000, seed: 6)
        let made = try c.run("node-a", ["bundle", "create", "--for-peer", "node-b", "-o", "big.hb", "--max-size", "1M"])
        let parts = made.stdout.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) }
        #expect(made.status == 0 && parts.count >= 2 && parts.allSatisfy { $0.hasPrefix("big.hb.") }, "\(made.stdout)\(made.stderr)")
        for p in parts {
            let size = (try FileManager.default.attributesOfItem(atPath: "\(c.dir)/\(p)")[.size] as? Int) ?? .max
            #expect(size <= 1 << 20, "\(p) is \(size) bytes")
        }
        // The last part first: its records are applied, but node-b holds node-a's log without a gap only once all arrived.
        let last = try apply(c, "node-b", [parts.last!])
        #expect(last.status == 0 && !last.stdout.contains("holds node-a's log"), "\(last.stdout)")
        let rest = try apply(c, "node-b", Array(parts.dropLast()))
        #expect(rest.status == 0, "\(rest.stdout)")
        #expect(try c.state("node-b") == c.state("node-a") && c.state("node-b").count == 6_000)
        let acks = try FileManager.default.contentsOfDirectory(atPath: "\(c.dir)/node-b-acks").sorted()
        #expect(acks.contains("ack-node-b-to-node-a-6000.json"), "\(acks)")

        // A large bundle killed while it is applied (kill -9): applied again, it completes, nothing doubled.
        try Self.add(c, "node-a", "violation_lead", count: 6_000, seed: 7)
        #expect(try create(c, "node-a", for: "node-b", "more.hb").status == 0)
        let pid = try CLI.spawn(["bundle", "apply", "more.hb", "--no-ack", "--config", c.config("node-b")], in: c.dir, log: "\(c.dir)/killed.log")
        // Killed as soon as its first batch is in (a count by SQL, cheaper than a listing).
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, (Int(try CaptureCommandTests.sql("node-b/hutong.sqlite", "SELECT count(*) FROM records", in: c.dir)) ?? 0) <= 6_000 {
            Thread.sleep(forTimeInterval: 0.002)
        }
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let between = try c.state("node-b").count
        let again = try apply(c, "node-b", ["more.hb"])
        #expect(again.status == 0, "\(again.stdout)")
        #expect(try c.state("node-b") == c.state("node-a") && c.state("node-b").count == 12_000, "after the kill node-b held \(between)")
        #expect(between < 12_000 || again.stdout.contains("applied before"), "\(again.stdout)")
        #expect(try c.run("node-b", ["check"]).status == 0)
    }

    /// Two daemons whose only link is a pair of folders: the test carries
    /// files between them as a transfer device would. Records written at
    /// either side arrive at the other, acknowledgements come back, and a
    /// file that is no bundle is moved aside, not lost.
    @Test func daemonsExchangeThroughTheirFolders() throws {
        let c = try Cluster(["node-a", "node-b"], fileLink: true)
        for n in c.names {
            try c.editConfig(n, [("sync_seconds = 60", "sync_seconds = 0.5"), ("link_settle_seconds = 10", "link_settle_seconds = 0")])
        }
        try Self.add(c, "node-a", "penalty", count: 20, seed: 7)
        try Self.add(c, "node-b", "violation_lead", count: 10, seed: 8)
        // node-a's side of its link to node-b is link-node-b; node-b's side is link-node-a.
        let fm = FileManager.default
        try fm.createDirectory(atPath: "\(c.dir)/link-node-b/in", withIntermediateDirectories: true)
        try "not a bundle\n".write(toFile: "\(c.dir)/link-node-b/in/stray.txt", atomically: true, encoding: .utf8)
        let pids = try c.names.map { n in
            try CLI.spawn(["run", "--admin-listen", "127.0.0.1:0", "--config", c.config(n)], in: c.dir, log: "\(c.dir)/\(n).log")
        }
        defer { for p in pids { CLI.kill(p) } }
        let logs = { c.names.map { (try? String(contentsOfFile: "\(c.dir)/\($0).log", encoding: .utf8)) ?? "" }.joined(separator: "\n") }
        /// Moves every finished file from one side's out/ to the other's in/.
        func carry(_ from: String, _ to: String) throws {
            let out = "\(c.dir)/\(from)/out", inbox = "\(c.dir)/\(to)/in"
            try fm.createDirectory(atPath: inbox, withIntermediateDirectories: true)
            for name in (try? fm.contentsOfDirectory(atPath: out)) ?? [] where !name.hasSuffix(".tmp") {
                try fm.moveItem(atPath: "\(out)/\(name)", toPath: "\(inbox)/\(name)")
            }
        }
        let end = Date().addingTimeInterval(60)
        var states = (try c.state("node-a"), try c.state("node-b"))
        while Date() < end, !(states.0.count == 30 && states.0 == states.1) {
            try carry("link-node-b", "link-node-a")
            try carry("link-node-a", "link-node-b")
            Thread.sleep(forTimeInterval: 0.2)
            states = (try c.state("node-a"), try c.state("node-b"))
        }
        #expect(states.0.count == 30 && states.0 == states.1, "node-a \(states.0.count), node-b \(states.1.count): \(logs())")
        // The acknowledgements came home: each side knows the other holds its log.
        let acknowledged = Date().addingTimeInterval(30)
        var audits = ""
        while Date() < acknowledged {
            try carry("link-node-b", "link-node-a")
            try carry("link-node-a", "link-node-b")
            audits = try c.names.map { try c.run($0, ["audit", "list", "--limit", "100"]).stdout }.joined()
            if audits.components(separatedBy: "bundle-acknowledged").count - 1 >= 2 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(audits.components(separatedBy: "bundle-acknowledged").count - 1 >= 2, "\(audits)")
        // Operators see the link as such: what was acknowledged, and that nothing is stuck.
        let status = try c.run("node-a", ["status"]).stdout
        #expect(status.contains("peer node-b (files at \(c.dir)/link-node-b): has every change") && !status.contains("acknowledgement never"), "\(status)")
        let explained = try c.run("node-a", ["status", "--explain", "--json"])
        #expect(explained.status == 0 && explained.stdout.contains("reached by files at \(c.dir)/link-node-b: its last acknowledgement"), "\(explained.stdout)")
        // The stray file was set aside with its reason, not deleted, and counted.
        #expect(fm.fileExists(atPath: "\(c.dir)/link-node-b/in/refused/stray.txt") && logs().contains("refused stray.txt"), "\(logs())")
        let aLog = (try? String(contentsOfFile: "\(c.dir)/node-a.log", encoding: .utf8)) ?? ""
        let admin = try #require(aLog.components(separatedBy: "admin on port ").last?.prefix { $0.isNumber }.description)
        let metrics = try CLI.run(["-s", "http://127.0.0.1:\(admin)/metrics"], in: c.dir, executable: "/usr/bin/curl").stdout
        for series in ["hutong_bundles_written_total", "hutong_bundles_applied_total", "hutong_link_files_refused_total"] {
            #expect((RunCommandTests.value(metrics, series + #"{peer="node-b"}"#) ?? 0) >= 1, "\(series): \(metrics)")
        }
        for p in pids { _ = Glibc.kill(p, SIGTERM) }
        for p in pids {
            var status: Int32 = -1
            for _ in 0..<1_000 where waitpid(p, &status, WNOHANG) == 0 { Thread.sleep(forTimeInterval: 0.01) }
            #expect(status == 0, "exit status \(status): \(logs())")
        }
    }

    /// SIGTERM while the daemon applies a large bundle from its link folder:
    /// it stops between two batches, leaves the file where it was, and
    /// applies it whole after the next start.
    @Test func aStoppingDaemonLeavesABundleForItsNextStart() throws {
        let c = try Cluster(["node-a", "node-b"], fileLink: true)
        try c.editConfig("node-b", [("sync_seconds = 60", "sync_seconds = 0.5"), ("link_settle_seconds = 10", "link_settle_seconds = 0")])
        try Self.add(c, "node-a", "penalty", count: 6_000, seed: 10)
        let fm = FileManager.default
        try fm.createDirectory(atPath: "\(c.dir)/link-node-a/in", withIntermediateDirectories: true)
        #expect(try create(c, "node-a", for: "node-b", "link-node-a/in/big.hb").status == 0)
        func held() throws -> Int {
            Int(try CaptureCommandTests.sql("node-b/hutong.sqlite", "SELECT count(*) FROM records", in: c.dir)) ?? 0
        }
        let log = "\(c.dir)/node-b.log"
        let first = try CLI.spawn(["run", "--admin-listen", "off", "--config", c.config("node-b")], in: c.dir, log: log)
        defer { CLI.kill(first) }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, try held() == 0 { Thread.sleep(forTimeInterval: 0.002) }
        _ = Glibc.kill(first, SIGTERM)
        var status: Int32 = -1
        for _ in 0..<2_000 where waitpid(first, &status, WNOHANG) == 0 { Thread.sleep(forTimeInterval: 0.005) }
        let between = try held()
        #expect(status == 0, "exit status \(status): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        if between < 6_000 {
            #expect(fm.fileExists(atPath: "\(c.dir)/link-node-a/in/big.hb"), "a bundle applied in part left in/")
        }
        let second = try CLI.spawn(["run", "--admin-listen", "off", "--config", c.config("node-b")], in: c.dir, log: log + "2")
        defer { CLI.kill(second) }
        let done = Date().addingTimeInterval(60)
        while Date() < done, !(try held() == 6_000 && fm.fileExists(atPath: "\(c.dir)/link-node-a/in/applied/big.hb")) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try held() == 6_000 && c.state("node-b") == c.state("node-a"), "after the stop node-b held \(between)")
        #expect(fm.fileExists(atPath: "\(c.dir)/link-node-a/in/applied/big.hb") && !fm.fileExists(atPath: "\(c.dir)/link-node-a/in/refused/big.hb"))
    }
}
