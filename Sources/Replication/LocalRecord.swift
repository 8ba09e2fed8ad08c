import JSON
import Standard

/// A standard record made ready for a local write: its id from the natural
/// key, its canonical text and content hash. These are the costly parts of a
/// write and need nothing of the store, so an intake works them out on every
/// core before the store's transaction; the writer then only looks up,
/// compares and inserts, as it does for a batch from a peer.
public struct LocalRecord: Sendable {
    public let type: String
    public let id: String
    /// `.null` once let go (`droppingBody`): what is stored is `canonical`.
    public let body: JSONValue
    /// SHA-256 of `text`, lower-case hex.
    public let hash: String
    /// The body in canonical JSON (UTF-8), stored as is.
    public let canonical: [UInt8]
    public var text: String { String(decoding: canonical, as: UTF8.self) }

    /// - Throws: `EnvelopeError.missingNaturalKey` for a body without its natural key.
    public init(type: RecordType, body: JSONValue) throws(EnvelopeError) {
        self.type = type.name
        id = RecordID.text(try RecordID.derive(type: type, body: body))
        self.body = body
        (hash, canonical) = ContentHash.withCanonicalBytes(body)
    }

    private init(type: String, id: String, hash: String, canonical: [UInt8]) {
        self.type = type; self.id = id; self.hash = hash; self.canonical = canonical
        body = .null
    }

    /// The record without its parsed body: a local write stores the canonical
    /// text, and the envelope it makes carries that text with the body
    /// unparsed, as envelopes read from the store do. An intake lets the tree
    /// go on the core that built it: freed on the store's thread instead, a
    /// large import's trees took a fifth of that thread's time, and three
    /// transactions of them were held at once.
    public func droppingBody() -> LocalRecord {
        LocalRecord(type: type, id: id, hash: hash, canonical: canonical)
    }
}
