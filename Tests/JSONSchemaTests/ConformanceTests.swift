import Foundation
import Testing
import HutongTesting
import JSON
@testable import JSONSchema

/// The official JSON-Schema-Test-Suite, draft 2020-12: every required case, and the
/// optional format cases for the formats the validator asserts.
@Suite struct ConformanceTests {
    static let assertedFormats = ["date", "date-time", "time", "duration", "email", "hostname", "ipv4", "ipv6",
                                  "uri", "uri-reference", "uuid", "json-pointer", "regex", "ecmascript-regex", "unknown"]

    /// Cases known to fail ("FILE: GROUP: TEST" → the reason). A listed case
    /// that passes fails the test, so this list can only shrink.
    static let knownFailures: [String: String] = [:]

    static var requiredFiles: [String] {
        let dir = TestRepository.conformanceSuite.appendingPathComponent("tests/draft2020-12")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    /// Runs one suite file; returns the descriptions of cases whose verdict differed.
    static func run(file: URL, assertFormats: Bool) throws -> (total: Int, failures: [String]) {
        let remotes = TestRepository.conformanceSuite.appendingPathComponent("remotes")
        let groups = try JSONParser.parse(Array(try Data(contentsOf: file))).arrayValue ?? []
        var failures: [String] = []
        var total = 0
        for (g, group) in groups.enumerated() {
            let registry = SchemaRegistry { uri in
                let prefix = "http://localhost:1234/"
                guard uri.hasPrefix(prefix) else { return nil }
                let path = remotes.appendingPathComponent(String(uri.dropFirst(prefix.count)))
                guard let data = try? Data(contentsOf: path) else { return nil }
                return try JSONParser.parse(Array(data))
            }
            let description = group["description"]?.stringValue ?? "group \(g)"
            let uri = "https://conformance.test/\(file.lastPathComponent)/\(g).json"
            let schema: JSONSchema
            do {
                try registry.add(group["schema"]!, uri: uri)
                schema = try JSONSchema(uri: uri, registry: registry, options: ValidatorOptions(assertFormats: assertFormats))
            } catch {
                let n = group["tests"]?.arrayValue?.count ?? 0
                total += n
                for t in group["tests"]?.arrayValue ?? [] {
                    failures.append("\(file.lastPathComponent): \(description): \(t["description"]?.stringValue ?? "?") (schema did not compile: \(error))")
                }
                continue
            }
            for t in group["tests"]?.arrayValue ?? [] {
                total += 1
                let expected = t["valid"]?.boolValue ?? false
                let data = t["data"]!
                let issues = schema.validate(data).filter { $0.severity == .error }
                let fast = schema.isValid(data)
                // The same instance parsed from its text onto a tape, as records arriving are.
                let tape = try Array(JSONWriter.string(data).utf8).withUnsafeBufferPointer { try JSONTape(parsing: $0) }
                let fromText = schema.isValid(tape), fromTextIssues = schema.validate(tape).filter { $0.severity == .error }
                if issues.isEmpty != expected || fast != expected || fromText != expected || fromTextIssues.isEmpty != expected {
                    failures.append("\(file.lastPathComponent): \(description): \(t["description"]?.stringValue ?? "?") (expected \(expected ? "valid" : "invalid"), validate: \(issues.isEmpty), isValid: \(fast), parsed from text: \(fromText))")
                }
            }
        }
        return (total, failures)
    }

    @Test(arguments: requiredFiles)
    func required(file: String) throws {
        let url = TestRepository.conformanceSuite.appendingPathComponent("tests/draft2020-12/\(file)")
        let (total, failures) = try Self.run(file: url, assertFormats: false)
        #expect(total > 0)
        for p in Self.problems(file: file, failures: failures) { Issue.record(Comment(rawValue: p)) }
    }

    @Test(arguments: assertedFormats)
    func optionalFormat(format: String) throws {
        let url = TestRepository.conformanceSuite.appendingPathComponent("tests/draft2020-12/optional/format/\(format).json")
        let (total, failures) = try Self.run(file: url, assertFormats: true)
        #expect(total > 0)
        for p in Self.problems(file: "\(format).json", failures: failures) { Issue.record(Comment(rawValue: p)) }
    }

    /// Optional (non-format) files the validator also passes in full, kept passing.
    /// Not held: cross-draft and dependencies-compatibility (keywords of older
    /// drafts) and float-overflow (1e308 × … needs arbitrary precision).
    static let optionalHeld = ["anchor", "bignum", "dynamicRef", "ecmascript-regex", "format-assertion", "id",
                               "no-schema", "non-bmp-regex", "refOfUnknownKeyword", "unknownKeyword"]

    @Test(arguments: optionalHeld)
    func optional(file: String) throws {
        let url = TestRepository.conformanceSuite.appendingPathComponent("tests/draft2020-12/optional/\(file).json")
        let (total, failures) = try Self.run(file: url, assertFormats: false)
        #expect(total > 0)
        for p in Self.problems(file: "\(file).json", failures: failures) { Issue.record(Comment(rawValue: p)) }
    }

    @Test func suiteIsPresent() {
        #expect(Self.requiredFiles.count > 40, "JSON-Schema-Test-Suite not found at \(TestRepository.conformanceSuite.path)")
    }

    /// What is wrong with a file's run: a failure not listed as known, or a
    /// listed case of this file that passes now.
    static func problems(file: String, failures: [String], known: [String: String] = knownFailures) -> [String] {
        func key(_ failure: String) -> String { failure.components(separatedBy: " (expected ").first!.components(separatedBy: " (schema did not compile").first! }
        let failing = Set(failures.map(key))
        return failures.filter { known[key($0)] == nil }.map { "conformance: \($0)" }
            + known.keys.filter { $0.hasPrefix(file + ": ") && !failing.contains($0) }.sorted().map { "\($0) is listed as a known failure but passes: take it off the list" }
    }

    /// The check itself can fail both ways.
    @Test func anUnlistedFailureAndAListedPassAreBothProblems() {
        let failure = "const.json: const validation: another value is invalid (expected invalid, validate: true, isValid: true, parsed from text: true)"
        #expect(Self.problems(file: "const.json", failures: [failure], known: [:]).count == 1)
        #expect(Self.problems(file: "const.json", failures: [failure], known: ["const.json: const validation: another value is invalid": "why"]).isEmpty)
        #expect(Self.problems(file: "const.json", failures: [], known: ["const.json: const validation: another value is invalid": "why"]).count == 1)
        #expect(Self.problems(file: "enum.json", failures: [], known: ["const.json: const validation: another value is invalid": "why"]).isEmpty)
    }
}
