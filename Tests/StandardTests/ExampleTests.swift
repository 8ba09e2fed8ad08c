import Foundation
import Testing
@testable import Standard

/// Schemas/examples: every file is listed in expected.tsv, and validates exactly
/// as listed: valid ones cleanly, invalid ones with an error at the stated place.
@Suite struct ExampleTests {
    struct Expectation: CustomTestStringConvertible, Sendable {
        let file: String
        let verdict: String
        let places: [(pointer: String, keyword: String)]
        let rule: String
        var testDescription: String { file }
    }

    static let expectations: [Expectation] = {
        guard let text = try? String(contentsOf: TestPaths.examples.appendingPathComponent("expected.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let places: [(String, String)] = f[2] == "-" ? [] : f[2].split(separator: ";").map {
                let parts = $0.split(separator: " ")
                return (parts[0] == "/" ? "" : String(parts[0]), String(parts[1]))
            }
            return Expectation(file: f[0], verdict: f[1], places: places, rule: f[3])
        }
    }()

    @Test func everyExampleIsListed() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.examples.path).filter { $0.hasSuffix(".json") }
        #expect(Set(files) == Set(Self.expectations.map(\.file)))
        // Each record type and the envelope have a valid example and at least three invalid ones.
        for type in StandardCatalog.recordTypeNames + ["envelope"] {
            #expect(Self.expectations.contains { $0.file.hasPrefix(type + "/") && $0.verdict == "valid" }, "\(type) has no valid example")
            #expect(Self.expectations.filter { $0.file.hasPrefix(type + "/") && $0.verdict == "invalid" }.count >= 3, "\(type) has too few invalid examples")
        }
    }

    @Test(arguments: expectations)
    func exampleValidatesAsListed(_ e: Expectation) throws {
        let type = String(e.file.split(separator: "/")[0])
        let schema = try #require(StandardSchemaTests.catalog.schema(named: type))
        let record = try TestPaths.json(TestPaths.examples.appendingPathComponent(e.file))
        let issues = schema.validate(record)
        let errors = issues.filter { $0.severity == .error }
        let warnings = issues.filter { $0.severity == .warning }
        switch e.verdict {
        case "valid":
            #expect(issues.isEmpty, "\(e.file): \(issues.map(\.message))")
        case "warning":
            #expect(errors.isEmpty, "\(e.file): \(errors.map(\.message))")
            for p in e.places {
                #expect(warnings.contains { $0.instanceLocation == p.pointer && $0.keywordLocation.hasSuffix("/" + p.keyword) }, "\(e.file): no warning at \(p)")
            }
        default:
            #expect(!e.rule.isEmpty && e.rule != "-", "\(e.file) does not say which rule it breaks")
            for p in e.places {
                #expect(errors.contains { $0.instanceLocation == p.pointer && $0.keywordLocation.hasSuffix("/" + p.keyword) },
                        "\(e.file): expected an error at \(p.pointer) (\(p.keyword)), got \(errors.map { "\($0.instanceLocation) \($0.keywordLocation)" })")
            }
            #expect(errors.count <= e.places.count + 1, "\(e.file): unexpected extra errors \(errors.map(\.message))")
        }
    }
}

/// One mistake gives one finding: an error in a field shared through `allOf`
/// must not make `unevaluatedProperties` call the record's other fields unknown.
@Suite struct CascadeTests {
    @Test(arguments: ["penalty", "agency", "case_transfer"])
    func oneDefectOneFinding(type: String) throws {
        let schema = try #require(StandardSchemaTests.catalog.schema(named: type))
        var g = try SampleGenerator(type: type, seed: 77, invalidRatio: 1)
        for _ in 0..<200 {
            let s = g.next()
            let errors = schema.validate(s.record).filter { $0.severity == .error }
            #expect(!errors.contains { $0.message.hasPrefix("unknown field") && $0.instanceLocation != s.defect?.instanceLocation },
                    "\(type): \(s.defect!.rule) cascaded: \(errors.map(\.message))")
            #expect(errors.count <= 2, "\(type): \(s.defect!.rule) gave \(errors.map(\.message))")
        }
    }
}
