import Standard
import JSON

/// A losing version of a record under the `manual` policy, listed in the stored
/// envelope until an operator resolves it.
public struct VersionRef: Sendable, Hashable {
    public let vv: VersionVector
    public let writer: String
    public let hash: String

    public init(vv: VersionVector, writer: String, hash: String) {
        self.vv = vv; self.writer = writer; self.hash = hash
    }

    var json: JSONValue { ["vv": vv.json, "writer": .string(writer), "hash": .string(hash)] }
}

/// A stored version of a record (docs/architecture.md, "Record model").
public struct Envelope: Sendable, Equatable {
    public var id: String
    public var type: String
    public var owner: String
    public var vv: VersionVector
    public var hlc: HLCTimestamp
    public var writer: String
    public var deleted: Bool
    public var hash: String
    public var body: JSONValue { didSet { bodyStorage = nil } }
    /// The body's JSON text when already at hand — as stored, or the canonical
    /// text its hash was computed from — so storing or sending it needs no
    /// second serialisation. Cleared whenever `body` changes.
    public var bodyText: String? {
        get {
            switch bodyStorage {
            case .string(let s): s
            case .utf8(let b): String(decoding: b, as: UTF8.self)
            case nil: nil
            }
        }
        set { bodyStorage = newValue.map { .string($0) } }
    }
    /// `bodyText` as it came: a received body is kept as its bytes, since
    /// making a Swift string of them checks the UTF-8 again, and storing or
    /// sending it only copies the bytes.
    private var bodyStorage: BodyText?
    private enum BodyText: Sendable {
        case string(String)
        case utf8([UInt8])
    }
    /// Manual policy: losing versions awaiting review, one per content, sorted by hash.
    public var conflicts: [VersionRef]
    /// Personal fields masked for the peer this copy was made for (transport).
    public var masked: [String]

    public init(id: String, type: String, owner: String, vv: VersionVector, hlc: HLCTimestamp, writer: String,
                deleted: Bool, hash: String, body: JSONValue, bodyText: String? = nil, conflicts: [VersionRef] = [], masked: [String] = []) {
        self.id = id; self.type = type; self.owner = owner; self.vv = vv; self.hlc = hlc; self.writer = writer
        self.deleted = deleted; self.hash = hash; self.body = body; self.conflicts = conflicts; self.masked = masked
        self.bodyText = bodyText
    }

    /// Sets `bodyText` from bytes known to be valid UTF-8 (checked by the parser that read them).
    public mutating func setBodyText(utf8 bytes: [UInt8]) { bodyStorage = .utf8(bytes) }

    /// Whether the body's text is at hand, without making a string of it.
    public var hasBodyText: Bool { bodyStorage != nil }

    /// Runs `read` on the body's text as UTF-8 bytes; nil when the text is not at hand.
    public func withBodyText<R>(_ read: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        switch bodyStorage {
        case .string(var s): return try s.withUTF8(read)
        case .utf8(let b): return try b.withUnsafeBufferPointer(read)
        case nil: return nil
        }
    }

    /// Equal as versions: `bodyText` is a cache of `body` and does not count.
    public static func == (a: Envelope, b: Envelope) -> Bool {
        a.id == b.id && a.type == b.type && a.owner == b.owner && a.vv == b.vv && a.hlc == b.hlc && a.writer == b.writer
            && a.deleted == b.deleted && a.hash == b.hash && a.body == b.body && a.conflicts == b.conflicts && a.masked == b.masked
    }

    /// Keeps the body as text only (`.null` with `bodyText`), where the parsed
    /// tree is no longer needed: what stores and sends versions uses the text.
    /// Does nothing without the text at hand.
    public mutating func dropParsedBody() {
        guard let text = bodyStorage else { return }
        body = .null
        bodyStorage = text
    }


    /// What must be identical on every node that has seen the same versions.
    public var convergenceKey: String { "\(id) \(vv) \(hash) \(deleted)" }

    public var json: JSONValue {
        var o = metadata
        o["body"] = body
        return .object(o)
    }

    /// Every member but the body, in envelope order.
    private var metadata: JSONObject {
        var o = JSONObject()
        o["id"] = .string(id)
        o["type"] = .string(type)
        o["owner"] = .string(owner)
        o["vv"] = vv.json
        o["hlc"] = .string(hlc.description)
        o["writer"] = .string(writer)
        o["deleted"] = .bool(deleted)
        o["hash"] = .string(hash)
        if !conflicts.isEmpty { o["conflicts"] = .array(conflicts.map(\.json)) }
        if !masked.isEmpty { o["masked"] = .array(masked.map { .string($0) }) }
        return o
    }

    /// Checks `hash` against the body, so a version altered on its way is
    /// refused, and keeps the canonical text for storing. False on mismatch.
    public mutating func verifyHash() -> Bool {
        let (computed, text) = ContentHash.withText(body)
        guard computed == hash else { return false }
        bodyText = text
        return true
    }

    /// The envelope as one line of compact JSON (NDJSON), with the body taken
    /// from `bodyText` when at hand: exports and batches send stored text as is.
    public var line: String {
        var out: [UInt8] = []
        writeLine(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `line`, appended to `out`: members in envelope order, written directly
    /// (a batch writes one per record); the body serialised only when its text
    /// is not at hand.
    public func writeLine(into out: inout [UInt8]) {
        EnvelopeLine.write(into: &out, deleted: deleted, conflicts: !conflicts.isEmpty, masked: !masked.isEmpty) { part, out in
            switch part {
            case .id: JSONWriter.writeString(id, into: &out)
            case .type: JSONWriter.writeString(type, into: &out)
            case .owner: JSONWriter.writeString(owner, into: &out)
            case .vv: vv.write(into: &out)
            case .hlc: out.append(UInt8(ascii: "\"")); hlc.write(into: &out); out.append(UInt8(ascii: "\""))
            case .writer: JSONWriter.writeString(writer, into: &out)
            case .hash: JSONWriter.writeString(hash, into: &out)
            case .conflicts: JSONWriter.write(.array(conflicts.map(\.json)), into: &out)
            case .masked: JSONWriter.write(.array(masked.map { .string($0) }), into: &out)
            case .body: if withBodyText({ out.append(contentsOf: $0) }) == nil { JSONWriter.write(body, into: &out) }
            }
        }
    }

    /// Reads an envelope; validation against `envelope.json` is the caller's (it
    /// gives clerk-readable findings); this only refuses what it cannot represent.
    public init(json: JSONValue) throws(EnvelopeError) {
        guard case .object(let o) = json else { throw .invalid("", "an envelope must be a JSON object") }
        func string(_ k: String) throws(EnvelopeError) -> String {
            guard case .string(let s)? = o[k], !s.isEmpty else { throw .invalid(k, "must be a non-empty string") }
            return s
        }
        id = try string("id")
        type = try string("type")
        owner = try string("owner")
        guard let vvJSON = o["vv"] else { throw .invalid("vv", "is missing") }
        vv = try VersionVector(json: vvJSON)
        guard let hlc = HLCTimestamp(try string("hlc")) else { throw .invalid("hlc", "must be written MILLIS.COUNTER, e.g. 1717056000000.2") }
        self.hlc = hlc
        writer = try string("writer")
        guard case .bool(let d)? = o["deleted"] else { throw .invalid("deleted", "must be true or false") }
        deleted = d
        hash = try string("hash")
        guard let b = o["body"] else { throw .invalid("body", "is missing") }
        body = b
        var refs: [VersionRef] = []
        for r in o["conflicts"]?.arrayValue ?? [] {
            guard let w = r["writer"]?.stringValue, let h = r["hash"]?.stringValue, let v = r["vv"] else {
                throw .invalid("conflicts", "entries need vv, writer and hash")
            }
            refs.append(VersionRef(vv: try VersionVector(json: v), writer: w, hash: h))
        }
        conflicts = refs
        masked = o["masked"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Reads an envelope from its parsed line. Without `parsedBody` no tree is
    /// built for the body: `body` is null and `bodyText` the body's text as
    /// sent (checked against `hash` by the receiver before it is stored).
    public init(tape: JSONTape, parsedBody: Bool) throws(EnvelopeError) {
        if parsedBody { try self.init(json: tape.value()); return }
        guard let text = tape.memberText("body") else { throw .invalid("body", "must be an object") }
        if let read = Self.usual(tape) { self = read } else { try self.init(json: tape.value(nulling: "body")) }
        setBodyText(utf8: Array(text))
    }

    /// The usual envelope — every member present with its kind, no conflicts
    /// and nothing masked — read off the tape without a tree of it (making and
    /// freeing one per received record cost more than reading it). Nil for
    /// anything else: the tree reader then reads it, or says what is wrong.
    private static func usual(_ tape: JSONTape) -> Envelope? {
        guard !tape.hasMember("conflicts"), !tape.hasMember("masked") else { return nil }
        func string(_ name: StaticString) -> String? {
            guard let s = tape.stringMember(name), !s.isEmpty else { return nil }
            return s
        }
        guard let id = string("id"), let type = string("type"), let owner = string("owner"), let writer = string("writer"),
              let hash = string("hash"), let hlc = string("hlc").flatMap(HLCTimestamp.init),
              let deleted = tape.boolMember("deleted"), let vvJSON = tape.member("vv"), let vv = try? VersionVector(json: vvJSON)
        else { return nil }
        return Envelope(id: id, type: type, owner: owner, vv: vv, hlc: hlc, writer: writer, deleted: deleted, hash: hash, body: .null)
    }

    /// This version as a losing entry: identified by its dot, the writer and
    /// that writer's counter, which merging concurrent versions never changes
    /// (the merged vector keeps the winner's own entry), so every node lists the
    /// same losers whatever order versions arrived in.
    var ref: VersionRef { VersionRef(vv: VersionVector([writer: vv[writer]]), writer: writer, hash: hash) }
}
