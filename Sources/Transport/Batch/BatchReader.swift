import Crypto
import Foundation
import Replication
import Standard
import Store
import JSON

/// How received batches are read: the checks and limits of this node. Each
/// batch gets its own `BatchDecoder`, fed as the bytes arrive.
public struct BatchReader: Sendable {
    public let catalog: StandardCatalog
    /// Batches older than this (or this far in the future) are refused as stale:
    /// a captured batch cannot be replayed later.
    public let maxAge: TimeInterval

    /// The first and last lines of a batch, as the standard describes them.
    let headerGate: RecordGate
    let endGate: RecordGate

    public init(catalog: StandardCatalog, maxAge: TimeInterval = 600) {
        self.catalog = catalog; self.maxAge = maxAge
        headerGate = RecordGate(catalog: catalog, schema: "batch-header")!
        endGate = RecordGate(catalog: catalog, schema: "batch-end")!
    }

    /// `allowed` says whether the peer may write a record of that type and body
    /// here (a push); nil accepts every type (a pull: we asked for it).
    /// `stopsAtEnd`: the batch may be followed by another in the same stream
    /// (a pull answer of several pages); `feed` then stops after the end line.
    /// `bodies` false hands records on with their bodies as text only (`.null`
    /// with `bodyText`, as the store reads them): a store applying them needs
    /// no parsed body, and the parsed one is freed on the checking thread
    /// rather than by the one applying.
    public func decoder(from peer: String, key: PeerKey, now: Date = Date(), maxRecords: Int = .max, stopsAtEnd: Bool = false,
                        bodies: Bool = true, allowed: (@Sendable (String, JSONValue) -> Bool)? = nil) -> BatchDecoder {
        BatchDecoder(reader: self, peer: peer, key: key, now: now, maxRecords: maxRecords, stopsAtEnd: stopsAtEnd, bodies: bodies, allowed: allowed)
    }

    /// A whole batch at once.
    public func read(_ bytes: [UInt8], from peer: String, key: PeerKey, now: Date = Date(), bodies: Bool = true,
                     allowed: (@Sendable (String, JSONValue) -> Bool)? = nil) throws(BatchRefusal) -> BatchDecoder.Decoded {
        let d = decoder(from: peer, key: key, now: now, bodies: bodies, allowed: allowed)
        let fed: Result<Void, BatchRefusal> = bytes.withUnsafeBytes { b in Result { () throws(BatchRefusal) in try d.feed(b) } }
        try fed.get()
        return try d.finish()
    }
}

/// Reads one batch as it streams in: the header is checked on arrival (form,
/// sender, age), each record as its line completes — against the standard,
/// its hash, and what the peer may write — and the signature when the end
/// line arrives. A batch failing a header, end or signature check is refused
/// whole (`BatchRefusal`) and nothing of it may be applied; a record failing
/// its own checks is rejected with its reason while the rest go on.
///
/// The receiving thread inflates, splits and hashes the lines for the
/// signature; parsing and checking each record, which cost most, run
/// meanwhile on a checking lane (`RecordChecker`), in line order.
public final class BatchDecoder {
    public struct Decoded: Sendable {
        public let header: BatchHeader
        public let end: BatchEnd
        public let versions: [Envelope]
        public let rejected: [IncomingBatch.Rejected]
        /// How many of `rejected` the peer may not write here (grants).
        public var notGranted = 0
    }

    let reader: BatchReader
    let peer: String
    let key: PeerKey
    let now: Date
    let maxRecords: Int
    let stopsAtEnd: Bool
    let bodies: Bool
    let allowed: (@Sendable (String, JSONValue) -> Bool)?
    private var pending: [UInt8] = []
    private var line = 0
    private var records = 0
    private var digest = SHA256()
    private var header: BatchHeader?
    private var end: (BatchEnd, signature: String?)?
    private var endLine = 0
    private var checker: RecordChecker?

    init(reader: BatchReader, peer: String, key: PeerKey, now: Date, maxRecords: Int, stopsAtEnd: Bool, bodies: Bool,
         allowed: (@Sendable (String, JSONValue) -> Bool)?) {
        self.reader = reader; self.peer = peer; self.key = key; self.now = now; self.maxRecords = maxRecords
        self.stopsAtEnd = stopsAtEnd; self.bodies = bodies; self.allowed = allowed
    }

    /// Whether the end line has arrived.
    public var hasEnded: Bool { end != nil }

    /// Takes the next bytes of the batch, in whatever pieces they arrive.
    /// Returns how many it took: all of them, unless the decoder stops at its
    /// end line and the rest belongs to the next batch.
    @discardableResult
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(BatchRefusal) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var start = 0
        // memchr, not `firstIndex(of:)`: line ends are searched for in every byte received.
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let nl = UnsafeRawPointer(found) - base
            if pending.isEmpty {
                try take(UnsafeRawBufferPointer(rebasing: bytes[start..<nl]))
            } else {
                // Taken in place and emptied after: copying it out would allocate a line per piece.
                pending.append(contentsOf: bytes[start..<nl])
                try takePending()
            }
            start = nl + 1
            if stopsAtEnd && end != nil { return start }
        }
        pending.append(contentsOf: bytes[start...])
        if pending.count > 16 << 20 { throw .malformed("line \(line + 1) is longer than 16 MB") }
        return bytes.count
    }

    /// A batch all of whose bytes arrived and whose signature verified, while
    /// the checks of its records may still be running: a puller asks for the
    /// next page with its end line's cursor at once, and waits for the checks
    /// (`records()`) only when it applies the page.
    public struct Received: @unchecked Sendable {
        public let header: BatchHeader
        public let end: BatchEnd
        let checker: RecordChecker

        /// Lets the batch made of this page go on the lane that checked it.
        public func release(_ batch: consuming IncomingBatch) {
            checker.release(batch)
        }

        /// The batch's records, once every one is checked (asked once).
        public func records() -> Decoded {
            let checked = checker.results()
            var decoded = Decoded(header: header, end: end, versions: checked.versions, rejected: checked.rejected)
            decoded.notGranted = checked.notGranted
            return decoded
        }
    }

    /// The batch, once all of it has arrived: refused unless its end line came
    /// and the signature verifies.
    public func finish() throws(BatchRefusal) -> Decoded {
        try finishReading().records()
    }

    /// The batch's header and end, once all of it has arrived and the
    /// signature verified; its records' checks may still be running.
    public func finishReading() throws(BatchRefusal) -> Received {
        if !pending.isEmpty { try takePending() }
        guard let header, let checker else { throw .malformed("the batch is empty") }
        guard let (end, signature) = end else {
            throw .malformed("the batch ended after line \(line) without its end line (cut short in transit?)")
        }
        guard let signature else { throw .unsigned }
        guard key.verify(signature, over: Array(digest.finalize())) else { throw .badSignature }
        guard end.count == records else {
            throw .malformed("the end line counts \(end.count) records, \(records) arrived")
        }
        checker.finishAdding()
        return Received(header: header, end: end, checker: checker)
    }

    private func takePending() throws(BatchRefusal) {
        let r: Result<Void, BatchRefusal> = pending.withUnsafeBytes { b in Result { () throws(BatchRefusal) in try take(b) } }
        pending.removeAll(keepingCapacity: true)
        try r.get()
    }

    private func take(_ raw: UnsafeRawBufferPointer) throws(BatchRefusal) {
        line += 1
        guard header != nil else { return try takeHeader(raw) }
        if end != nil {
            // At most a few blank lines may follow: a stream of them is work for nothing.
            guard raw.allSatisfy({ $0 == 0x20 || $0 == 0x0D }), line <= endLine + 2 else { throw .malformed("line \(line) follows the end line") }
            return
        }
        // Every line between header and end holds a record. A blank one is
        // refused at once: millions of them cost the receiver far more than
        // the sender (a small gzip body expands to a stream of newlines).
        if raw.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            throw .malformed("line \(line) is blank; a batch holds one JSON record per line")
        }
        // Only the end line is parsed here; record lines are parsed where they
        // are checked, so their trees are made and freed on the same thread
        // (freed on another, glibc's allocator slowed the receiving thread).
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        if JSONLocator.memberRange("batch_end", in: bytes) != nil,
           let o = (try? JSONParser.parse(bytes))?.objectValue, o["batch_end"] != nil {
            return try takeEnd(o)
        }
        // A record line: signed as received, byte for byte.
        digest.update(bufferPointer: raw)
        digest.update(data: [0x0A])
        guard records < maxRecords else {
            throw .malformed("more than the \(maxRecords) records a batch may hold here (a page asked for, or the largest pushed batch)")
        }
        records += 1
        checker?.add(number: line, bytes: raw)
    }

    private func takeHeader(_ raw: UnsafeRawBufferPointer) throws(BatchRefusal) {
        let value: JSONValue
        do { value = try JSONParser.parse(Array(raw)) } catch { throw .malformed("the header line is not JSON: \(error)") }
        let verdict = reader.headerGate.check(value)
        guard verdict.isAcceptable else {
            throw .malformed("the header does not follow batch-header.json: \(verdict.reason(limit: 1))")
        }
        let h = BatchHeader(checked: value)
        guard h.node == peer else { throw .wrongNode(header: h.node, peer: peer) }
        guard let created = h.created else {
            throw .malformed("the header's created_at \"\(h.createdAt.prefix(40))\" is not a time this node can read; write it as 2024-05-30T08:00:00.000Z")
        }
        guard abs(now.timeIntervalSince(created)) <= reader.maxAge else {
            throw .stale(createdAt: h.createdAt, maxAge: Int(exactly: reader.maxAge.rounded(.down)) ?? .max)
        }
        header = h
        checker = RecordChecker(catalog: reader.catalog, peer: peer, batchID: h.batchID, bodies: bodies, allowed: allowed)
        digest.update(data: BatchDigest.canonicalLine(value.objectValue ?? JSONObject()))
    }

    private func takeEnd(_ o: JSONObject) throws(BatchRefusal) {
        let verdict = reader.endGate.check(.object(o))
        guard verdict.isAcceptable else {
            throw .malformed("line \(line), the end line, does not follow batch-end.json: \(verdict.reason(limit: 1))")
        }
        var signed = o
        let signature = signed["signature"]?.stringValue
        signed["signature"] = nil
        digest.update(data: BatchDigest.canonicalLine(signed))
        end = (BatchEnd(checked: .object(o)), signature)
        endLine = line
    }
}

/// Why a whole batch was refused; nothing of it is applied, and it is audited.
public enum BatchRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unsigned
    case badSignature
    case wrongNode(header: String, peer: String)
    case stale(createdAt: String, maxAge: Int)

    /// A short stable code for JSON errors and the audit log.
    public var code: String {
        switch self {
        case .malformed: "malformed-batch"
        case .unsigned: "unsigned-batch"
        case .badSignature: "bad-signature"
        case .wrongNode: "wrong-node"
        case .stale: "stale-batch"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let why): "malformed batch: \(why)"
        case .unsigned: "the batch is not signed; every batch must carry its sender's Ed25519 signature"
        case .badSignature: "the batch signature does not verify against the key configured for this peer (altered in transit, or the peer's key changed: compare `hutong keys show` on the peer with its signing_key here)"
        case .wrongNode(let h, let p): "the batch says it is from \(h), but the connection is from \(p)"
        case .stale(let at, let max): "the batch was made at \(at), more than \(max) s from now: refused as stale or replayed (check both clocks)"
        }
    }
}
