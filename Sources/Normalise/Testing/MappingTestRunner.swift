import JSON
import Standard

/// Runs a mapping's `[[test]]` cases: each input row is mapped and validated
/// as a real row would be, and compared with what the case expects.
public struct MappingTestReport: Sendable {
    public struct Result: Sendable {
        public let test: String
        public let line: Int
        /// Empty when the case passed.
        public let failures: [String]
        public var passed: Bool { failures.isEmpty }
    }

    public let mapping: String
    public let results: [Result]
    public let coverage: MappingCoverage
    public var failed: Int { results.filter { !$0.passed }.count }
}

extension Mapping {
    public func runTests(gate: RecordGate) -> MappingTestReport {
        var coverage: MappingCoverage? = MappingCoverage(self)
        var results: [MappingTestReport.Result] = []
        for test in tests {
            let columns = SourceColumns(test.input.map(\.column))
            let row = SourceRow(columns: columns, values: test.input.map(\.value), origin: file, location: "test \(test.name)")
            let outcome = map(row, coverage: &coverage)
            results.append(.init(test: test.name, line: test.line, failures: Self.judge(test, outcome, gate: gate)))
        }
        return MappingTestReport(mapping: file, results: results, coverage: coverage!)
    }

    static func judge(_ test: MappingTest, _ outcome: Swift.Result<JSONValue, MappingProblem>, gate: RecordGate) -> [String] {
        var failures: [String] = []
        switch outcome {
        case .failure(let problem):
            guard let (field, reason) = test.expectQuarantine else {
                return ["the row was quarantined: \(problem)"]
            }
            if let field, field != problem.field { failures.append("quarantined for \(problem.field), not \(field): \(problem)") }
            if let reason, reason != problem.kind.rawValue, !problem.reason.contains(reason) {
                failures.append("quarantined for another reason: \(problem)")
            }
        case .success(let record):
            let verdict = gate.check(record)
            if let (field, reason) = test.expectQuarantine {
                guard !verdict.isAcceptable else { return ["the row was not quarantined; it became a valid record"] }
                let errors = verdict.errors
                let pointer = field.map { "/" + $0.replacingOccurrences(of: ".", with: "/") }
                let matching = errors.filter { e in
                    (pointer.map { e.instanceLocation == $0 || e.instanceLocation.hasPrefix($0 + "/") || e.message.contains(field!) } ?? true)
                        && (reason.map { e.message.contains($0) } ?? true)
                }
                if matching.isEmpty { failures.append("quarantined, but not as expected: \(verdict.reason())") }
                return failures
            }
            for (path, want) in test.expect {
                let got = Self.value(at: path, in: record)
                if got != want {
                    failures.append("\(path): expected \(JSONWriter.string(want)), got \(got.map { JSONWriter.string($0) } ?? "nothing")")
                }
            }
            for path in test.expectAbsent {
                if let got = Self.value(at: path, in: record) { failures.append("\(path): expected nothing, got \(JSONWriter.string(got))") }
            }
            if test.valid && !verdict.isAcceptable { failures.append("the record is not valid: \(verdict.reason())") }
        }
        return failures
    }

    static func value(at path: String, in record: JSONValue) -> JSONValue? {
        var v: JSONValue? = record
        for part in path.split(separator: ".") { v = v?[String(part)] }
        return v
    }
}
