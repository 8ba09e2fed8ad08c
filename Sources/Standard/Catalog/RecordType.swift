/// How concurrent versions of a record type are settled (DESIGN.md, rule 3).
public enum ConflictPolicy: String, Sendable, CaseIterable {
    case lww
    case ownerWins = "owner-wins"
    case manual
}

/// A personal field of a record type, for masking (个人信息保护法).
public struct PersonalField: Sendable, Equatable, CustomStringConvertible {
    /// JSON Pointer into the body; `*` stands for every item of an array.
    public var pointer: String
    /// Personal only when the enclosing party's kind is 自然人 (e.g. the party's name).
    public var onlyForNaturalPerson: Bool

    public var description: String { pointer + (onlyForNaturalPerson ? " (自然人 only)" : "") }
}

/// What the rest of the system reads from a record type's schema annotations.
public struct RecordType: Sendable {
    public let name: String
    /// The Chinese name, from the schema's title.
    public let title: String
    /// The schema's `$id`.
    public let uri: String
    /// JSON Pointers of the fields that identify the real-world record (`x-natural-key`).
    public let naturalKey: [String]
    public let conflictPolicy: ConflictPolicy
    /// Why this policy, from `x-conflict-policy.description`.
    public let conflictPolicyReason: String
    public let personalFields: [PersonalField]
    public let schema: JSONSchema
}
