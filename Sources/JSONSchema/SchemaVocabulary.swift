import JSON

/// Keywords that a schema's own vocabulary adds to draft 2020-12, such as the
/// standard's `x-personal`, `x-rule` and `x-date-order`. The engine stays
/// generic: it asks each vocabulary what one schema object says, and consults
/// the answer only where it was given, so a vocabulary costs nothing elsewhere.
public protocol SchemaVocabulary: Sendable {
    /// The URI a metaschema lists in `$vocabulary` to switch it on (a schema
    /// without `$vocabulary` in its metaschema has every vocabulary on).
    var uri: String { get }
    /// What this vocabulary's keywords in `object` say; nil when it has none.
    /// - Throws: `SchemaVocabularyError` when a keyword's value is malformed.
    func compile(_ object: JSONObject) throws(SchemaVocabularyError) -> VocabularyKeywords?
}

/// What a vocabulary's keywords say about one subschema.
public struct VocabularyKeywords: Sendable {
    /// How a value validated here is shown in findings; nil shows it as it is.
    /// Set for personal information, which never appears whole in a message.
    public var mask: (@Sendable (String) -> String)?
    /// A label the vocabulary gives masked locations, read back through
    /// `JSONSchema.maskedLocations()` (e.g. masked only for natural persons).
    public var maskLabel: String?
    /// A rule quoted with every finding below this subschema.
    public var rule: String?
    /// Checks of a whole object that the vocabulary adds.
    public var checks: [any ObjectCheck]

    public init(mask: (@Sendable (String) -> String)? = nil, maskLabel: String? = nil, rule: String? = nil, checks: [any ObjectCheck] = []) {
        self.mask = mask
        self.maskLabel = maskLabel
        self.rule = rule
        self.checks = checks
    }
}

/// A malformed keyword of a schema vocabulary; the compiler adds where it is.
public struct SchemaVocabularyError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A check a vocabulary runs on an object instance, e.g. that one date member
/// is not before another.
public protocol ObjectCheck: Sendable {
    /// The keyword named in findings' keyword locations.
    var keyword: String { get }
    /// Whether `object` passes. When findings are wanted, `findings` is given
    /// and receives each failure: the member it is about and the message.
    /// `title` gives a member's Chinese field name where the schema has one.
    func check(_ object: ObjectView, title: (String) -> String?, findings: ((_ member: String, _ message: String) -> Void)?) -> Bool
}

/// Read access to one object of the instance being validated.
public struct ObjectView {
    let tape: JSONTapeView
    let index: Int

    /// The text of a string member, or nil when the member is absent or not a string.
    /// Valid only during the check.
    public func string(_ name: MemberName) -> UnsafeBufferPointer<UInt8>? {
        guard let v = tape.member(index, named: name.bytes, hash: name.hash)?.value, tape.kind(v) == .string else { return nil }
        return tape.string(v)
    }
}

/// A member name prepared once for lookups (its bytes and hash).
public final class MemberName: @unchecked Sendable {
    public let name: String
    let hash: UInt32
    /// Written once in `init`, then only read.
    let bytes: UnsafeBufferPointer<UInt8>

    public init(_ name: String) {
        self.name = name
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, name.utf8.count))
        let written = UnsafeMutableBufferPointer(start: storage, count: name.utf8.count).initialize(from: name.utf8).1
        bytes = UnsafeBufferPointer(start: storage, count: written)
        hash = KeyHash.of(name)
    }

    deinit { UnsafeMutablePointer(mutating: bytes.baseAddress!).deallocate() }
}
