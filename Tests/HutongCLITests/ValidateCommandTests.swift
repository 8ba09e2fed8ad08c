import Foundation
import Standard
import Testing
import JSON

@Suite struct ValidateCommandTests {
    let examples = CLI.repo.appendingPathComponent("Schemas/examples").path

    @Test func helpVersionAndCompletions() throws {
        for args in [["--help"], ["validate", "--help"], ["sample", "--help"]] {
            let r = try CLI.run(args)
            #expect(r.status == 0, "\(args)")
            #expect(r.stdout.contains("USAGE"), "\(args)")
        }
        #expect(try CLI.run(["validate", "--help"]).stdout.contains("Exit codes"))
        let v = try CLI.run(["--version"])
        #expect(v.status == 0 && v.stdout.hasPrefix("hutong "))
        #expect(try CLI.run(["--generate-completion-script", "bash"]).stdout.contains("_hutong"))
    }

    /// `hutong reference` prints the page committed as Schemas/README.md, or writes it with -o.
    @Test func referenceWritesTheStandardsPage() throws {
        let committed = try String(contentsOf: CLI.repo.appendingPathComponent("Schemas/README.md"), encoding: .utf8)
        let printed = try CLI.run(["reference"])
        #expect(printed.status == 0)
        #expect(printed.stdout == committed, "run `swift run hutong reference -o Schemas/README.md`")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("hutong-reference-\(UUID().uuidString).md")
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(try CLI.run(["reference", "-o", out.path]).status == 0)
        #expect(try String(contentsOf: out, encoding: .utf8) == committed)
        let unwritable = try CLI.run(["reference", "-o", "/nonexistent-dir/page.md"])
        #expect(unwritable.status == 2 && unwritable.stderr.contains("cannot write /nonexistent-dir/page.md"))
    }

    @Test func examplesReadLikeCompilerOutput() throws {
        let r = try CLI.run(["validate", "penalty"], in: examples)
        #expect(r.status == 1)
        #expect(r.lines.contains("penalty/invalid-fine-missing.json:1: missing required field \"fine_fen\" (罚款金额（分）) (rule: a penalty that includes 罚款 must give 罚款金额 (fine_fen))"))
        #expect(r.lines.contains { $0.hasPrefix("penalty/invalid-uscc-letter-o.json:7: /party/credit_code: 统一社会信用代码 cannot contain 'O'") })
        #expect(r.lines.contains { $0.hasPrefix("penalty/warning-uscc-check-character.json:7: warning: /party/credit_code: 统一社会信用代码 check character is") })
        #expect(r.lines.last?.hasPrefix("13 files, 13 records: 4 valid, 9 invalid (9 errors, 1 warning)") == true)
        // No line of the output carries a whole resident ID number.
        #expect(r.stdout.range(of: #"[0-9]{17}[0-9X]"#, options: .regularExpression) == nil)
    }

    @Test func exitCodes() throws {
        let valid = try CLI.run(["validate", "penalty/valid-organisation-fine.json", "agency/valid-agency.json"], in: examples)
        #expect(valid.status == 0)
        #expect(valid.lines.last?.hasPrefix("2 files, 2 records: 2 valid, 0 invalid") == true)
        // A warning alone passes; --strict makes it an error.
        #expect(try CLI.run(["validate", "penalty/warning-uscc-check-character.json"], in: examples).status == 0)
        let strict = try CLI.run(["validate", "--strict", "penalty/warning-uscc-check-character.json"], in: examples)
        #expect(strict.status == 1)
        #expect(!strict.stdout.contains("warning:"))
        // Unreadable paths: 2, but the readable ones are still checked.
        let missing = try CLI.run(["validate", "no-such-file.json", "agency/valid-agency.json"], in: examples)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-file.json"))
        #expect(missing.stdout.contains("1 file, 1 record: 1 valid"))
        // Usage errors: 2, with a message.
        for args in [["validate", "--type", "penalties", "x.json"], ["validate", "--type", "penalty", "--schema", "s.json", "x.json"], ["validate"], ["sample", "--type", "nope", "--count", "1"]] {
            let r = try CLI.run(args, in: examples)
            #expect(r.status == 2, "\(args)")
            #expect(!r.stderr.isEmpty, "\(args)")
        }
        #expect(try CLI.run(["validate", "--type", "penalties", "x.json"], in: examples).stderr.contains("agency"))
    }

    @Test func jsonOutputHasAVerdictPerRecord() throws {
        let r = try CLI.run(["validate", "--format", "json", "envelope"], in: examples)
        #expect(r.status == 1)
        let values = try r.lines.map { try JSONParser.parse($0) }
        #expect(values.count == 5)
        let summary = try #require(values.last?["summary"])
        #expect(summary["records"] == 4 && summary["invalid"] == 3)
        let body = try #require(values.first { $0["file"]?.stringValue?.hasSuffix("invalid-body.json") == true })
        #expect(body["valid"] == false && body["schema"] == "envelope")
        let error = try #require(body["errors"]?.arrayValue?.first)
        #expect(error["instanceLocation"] == "/body")
        #expect(error["keywordLocation"]?.stringValue?.hasSuffix("penalty.json#/required") == true)
        #expect(error["message"]?.stringValue?.contains("decision_number") == true)
    }

    @Test func brokenFilesAreReportedAndOthersStillChecked() throws {
        let dir = try CLI.temporaryDirectory()
        try "{\n  \"type\": \"agency\",\n  \"name\": ,\n}".write(toFile: dir + "/a-broken.json", atomically: true, encoding: .utf8)
        let good = try CLI.run(["sample", "--type", "penalty", "--count", "2"]).stdout
        try (good + "{\"type\": \"penalty\"\n").write(toFile: dir + "/b-records.ndjson", atomically: true, encoding: .utf8)
        try "[{\"type\":\"agency\"},".write(toFile: dir + "/c-unclosed.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["validate", "."], in: dir)
        #expect(r.status == 1)
        #expect(r.lines.contains { $0.hasPrefix("./a-broken.json:3: not JSON: unexpected character ','") && $0.contains("column 11") })
        #expect(r.lines.contains { $0.hasPrefix("./b-records.ndjson:3: not JSON") })
        #expect(r.lines.contains { $0.hasPrefix("./c-unclosed.json:1:20: the array of records is not closed") })
        #expect(r.lines.last?.contains("3 files, 5 records: 2 valid, 3 invalid") == true)
    }

    @Test func customSchemaMayUseTheStandard() throws {
        let dir = try CLI.temporaryDirectory()
        try #"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["code","on"],"properties":{"code":{"$ref":"https://hutong.example/standard/v1/common.json#/$defs/uscc"},"on":{"type":"string","format":"date"}}}"#
            .write(toFile: dir + "/mine.json", atomically: true, encoding: .utf8)
        try "{\"code\":\"91310110666007217T\",\"on\":\"2024-01-31\"}\n{\"code\":\"9131011066600721\",\"on\":\"2024-02-30\"}\n"
            .write(toFile: dir + "/data.ndjson", atomically: true, encoding: .utf8)
        // The standard's own files assert their formats (their metaschema says so);
        // in a draft 2020-12 schema of the user's, "format" is an annotation.
        let r = try CLI.run(["validate", "--schema", "mine.json", "data.ndjson"], in: dir)
        #expect(r.status == 1)
        #expect(r.lines.contains("data.ndjson:2: /code: 统一社会信用代码 must be 18 characters long; it has 16"))
        #expect(!r.stdout.contains("/on: "))
        // --assert-formats checks them too.
        let asserted = try CLI.run(["validate", "--schema", "mine.json", "--assert-formats", "data.ndjson"], in: dir)
        #expect(asserted.status == 1)
        #expect(asserted.lines.contains { $0.hasPrefix("data.ndjson:2: /on: ") && $0.contains("day 30") })
        #expect(!asserted.stdout.contains("data.ndjson:1:"))
        let bad = try CLI.run(["validate", "--schema", "nope.json", "data.ndjson"], in: dir)
        #expect(bad.status == 2 && bad.stderr.contains("nope.json"))
    }

    @Test func typeOptionOverridesTheRecord() throws {
        let r = try CLI.run(["validate", "--type", "agency", "penalty/valid-organisation-fine.json"], in: examples)
        #expect(r.status == 1)
        #expect(r.stdout.contains("missing required field \"agency_kind\""))
    }

    /// Installed as deploy/install.sh does and run by name from PATH, hutong finds
    /// the standard in PREFIX/share/hutong/schemas.
    @Test func installedBinaryFindsItsSchemas() throws {
        let prefix = try CLI.temporaryDirectory()
        let fm = FileManager.default
        try fm.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: prefix + "/share/hutong", withIntermediateDirectories: true)
        // A hard link, not a copy: a copy is open for writing while other tests
        // spawn processes, and exec of a file open for writing fails (ETXTBSY).
        do { try fm.linkItem(atPath: CLI.binary, toPath: prefix + "/bin/hutong") } catch {
            try fm.copyItem(atPath: CLI.binary, toPath: prefix + "/bin/hutong")
        }
        try fm.copyItem(atPath: CLI.repo.appendingPathComponent("Schemas").path, toPath: prefix + "/share/hutong/schemas")
        let work = try CLI.temporaryDirectory()
        try fm.copyItem(atPath: examples + "/agency/valid-agency.json", toPath: work + "/a.json")
        var env = ["PATH": prefix + "/bin:/usr/bin:/bin"]
        env["HUTONG_SCHEMAS"] = nil
        var r = try CLI.run(["validate", "a.json"], in: work, environment: env, executable: "hutong")
        for _ in 0..<5 where r.status == 126 && r.stderr.contains("busy") {
            Thread.sleep(forTimeInterval: 0.2)
            r = try CLI.run(["validate", "a.json"], in: work, environment: env, executable: "hutong")
        }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1 valid"))
    }
}
