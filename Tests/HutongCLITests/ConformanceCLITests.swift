import Foundation
import HutongTesting
import Standard
import Testing
import JSON

/// The official draft 2020-12 suite run through `hutong validate --schema`, as a
/// user with a schema of their own would run it: every required case gets the
/// verdict the suite expects. Groups that `$ref` the suite's remote server
/// (http://localhost:1234) cannot be reached from the command line and are
/// left to the in-process conformance tests.
@Suite struct ConformanceCLITests {
    static let suite = TestRepository.conformanceSuite

    @Test func theCommandLineKeepsEveryRequiredCase() throws {
        let dir = try CLI.temporaryDirectory()
        let tests = Self.suite.appendingPathComponent("tests/draft2020-12")
        let files = try FileManager.default.contentsOfDirectory(atPath: tests.path).filter { $0.hasSuffix(".json") }.sorted()
        try #require(files.count > 40, "JSON-Schema-Test-Suite not found at \(Self.suite.path)")
        var cases = 0, skipped = 0, wrong: [String] = []
        for file in files {
            let groups = try JSONParser.parse(Array(try Data(contentsOf: tests.appendingPathComponent(file)))).arrayValue ?? []
            for (g, group) in groups.enumerated() {
                let schema = JSONWriter.string(group["schema"]!)
                let instances = group["tests"]?.arrayValue ?? []
                if schema.contains("localhost:1234") { skipped += instances.count; continue }
                try schema.write(toFile: dir + "/schema.json", atomically: true, encoding: .utf8)
                try instances.map { JSONWriter.string($0["data"]!) }.joined(separator: "\n").write(toFile: dir + "/data.ndjson", atomically: true, encoding: .utf8)
                let r = try CLI.run(["validate", "--schema", "schema.json", "--format", "json", "data.ndjson"], in: dir)
                let verdicts = try r.lines.dropLast().map { try JSONParser.parse($0)["valid"]?.boolValue }
                guard verdicts.count == instances.count else {
                    wrong.append("\(file) #\(g): \(verdicts.count) verdicts for \(instances.count) instances: \(r.stderr)")
                    continue
                }
                for (t, verdict) in zip(instances, verdicts) {
                    cases += 1
                    if verdict != t["valid"]?.boolValue {
                        wrong.append("\(file): \(group["description"]?.stringValue ?? "#\(g)"): \(t["description"]?.stringValue ?? "?")")
                    }
                }
            }
        }
        #expect(cases > 1_100, "only \(cases) cases ran (\(skipped) skipped)")
        #expect(wrong.isEmpty, "\(wrong.count) of \(cases) cases: \(wrong.prefix(20).joined(separator: "\n"))")
    }
}
