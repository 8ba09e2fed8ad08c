/// One finding about a record: where in the record, which schema keyword, and
/// a message a clerk can act on.
public struct ValidationIssue: Error, Sendable, Equatable {
    public enum Severity: String, Sendable {
        /// Makes the record invalid.
        case error
        /// Worth a look but does not make the record invalid (e.g. a genuine early
        /// 统一社会信用代码 that fails its check character); `--strict` makes it an error.
        case warning
    }

    public var severity: Severity
    /// JSON Pointer into the record, "" for the record itself.
    public var instanceLocation: String
    /// Absolute keyword location: schema URI and pointer of the keyword that failed.
    public var keywordLocation: String
    public var message: String

    public init(severity: Severity = .error, instanceLocation: String, keywordLocation: String, message: String) {
        self.severity = severity
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.message = message
    }
}
