import JSON
import JSONSchema

/// How concurrent versions of a record type are settled (docs/architecture.md, "Version vectors: the rules").
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
    /// The same pointers as tokens (nil for one that is not a pointer), read once: every local write derives an id from them.
    public let naturalKeyTokens: [[String]?]
    public let conflictPolicy: ConflictPolicy
    /// Why this policy, from `x-conflict-policy.description`.
    public let conflictPolicyReason: String
    public let personalFields: [PersonalField]
    public let schema: JSONSchema
}

extension PersonalField {
    /// Whether `pointer`, a JSON Pointer into one body, names this field
    /// (`*` stands for any one array index or member name).
    public func matches(_ pointer: String) -> Bool {
        guard let want = JSONPointer.tokens(self.pointer), let got = JSONPointer.tokens(pointer), want.count == got.count else { return false }
        return zip(want, got).allSatisfy { w, g in w == g || (w == "*" && !g.isEmpty) }
    }
}

extension RecordType {
    /// Why `masked` cannot be the list of masked fields of `body`, or nil when
    /// it can: each pointer names a personal field of this type (`x-personal`)
    /// and holds a masked text. A masked copy cannot be checked against its
    /// hash (that is the whole body's), so this is what bounds what a peer
    /// may leave unchecked: the personal fields, and nothing else.
    public func maskingProblem(_ masked: [String], body: JSONValue) -> String? {
        for pointer in masked {
            guard personalFields.contains(where: { $0.matches(pointer) }) else {
                return "\"\(pointer)\" is listed as masked, but it is not a personal field of \(name) (those are \(personalFields.map(\.pointer).joined(separator: ", ")))"
            }
            guard let tokens = JSONPointer.tokens(pointer), case .string(let s)? = JSONPointer.resolve(tokens, in: body), s.contains("*") else {
                return "\"\(pointer)\" is listed as masked, but the body holds no masked text there"
            }
        }
        return nil
    }
}
