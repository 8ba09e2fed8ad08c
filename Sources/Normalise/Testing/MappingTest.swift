import JSON

/// A test case shipped in a mapping file (`[[test]]`): a source row, and the
/// fields it must give or the reason it must be quarantined for.
public struct MappingTest: Sendable {
    public let name: String
    public let line: Int
    /// The row: column → value.
    public let input: [(column: String, value: RowValue)]
    /// Field path → the value the record must have there (other fields are not compared).
    public let expect: [(path: String, value: JSONValue)]
    /// Fields that must be absent from the record.
    public let expectAbsent: [String]
    /// The row must be quarantined: for this field (if given) with this reason
    /// (a reason code such as `unknown-code`, or words of the finding).
    public let expectQuarantine: (field: String?, reason: String?)?
    /// The record must also pass validation against the standard.
    public let valid: Bool
}
