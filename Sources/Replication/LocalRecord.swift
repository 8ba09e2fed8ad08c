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
}
