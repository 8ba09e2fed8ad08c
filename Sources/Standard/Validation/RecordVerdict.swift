import JSON
import JSONSchema

/// The outcome for one record of a file.
public struct RecordVerdict: Sendable {
    public let file: String
    /// 1-based position of the record in its file.
    public let index: Int
    /// Line of the record's start.
    public let line: Int
    /// The schema it was checked against (record type, `envelope`, or a schema file).
    public var schemaName: String?
    public var issues: [ValidationIssue]
    /// Line of each issue's instance location, when the record spans lines.
    public var issueLines: [Int]
    /// Set when the record is not JSON; `issues` then holds that one finding.
    public var parseError: JSONParseError?

    public func isValid(strict: Bool) -> Bool {
        !issues.contains { $0.severity == .error || strict }
    }
    public var errorCount: Int { issues.filter { $0.severity == .error }.count }
    public var warningCount: Int { issues.filter { $0.severity == .warning }.count }
}
