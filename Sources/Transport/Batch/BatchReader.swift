import Foundation
import Replication
import Standard
import Store

/// Reads a received batch: the header is checked, then the signature against
/// the sending peer's key over the whole batch, before any record is looked at.
/// A batch that fails any of these is refused whole (`BatchRefusal`); after
/// that, each record is checked on its own — against the standard, its hash,
/// and what the peer may write — and those that fail are rejected with their
/// reason while the rest are applied.
public struct BatchReader: Sendable {
    public let catalog: StandardCatalog
    /// Batches older than this (or this far in the future) are refused as stale:
    /// a captured batch cannot be replayed later.
    public let maxAge: TimeInterval

    public init(catalog: StandardCatalog, maxAge: TimeInterval = 600) {
        self.catalog = catalog; self.maxAge = maxAge
    }

    public struct Decoded: Sendable {
        public let header: BatchHeader
        public let versions: [Envelope]
        public let rejected: [IncomingBatch.Rejected]
        /// How many of `rejected` the peer may not write here (grants).
        public var notGranted = 0
    }

    /// `allowed` says whether the peer may write a record of that type and body
    /// here (a push); nil accepts every type (a pull: we asked for it).
    public func read(_ bytes: [UInt8], from peer: String, key: PeerKey, now: Date = Date(),
                     allowed: (@Sendable (String, JSONValue) -> Bool)? = nil) throws(BatchRefusal) -> Decoded {
        guard let newline = bytes.firstIndex(of: 0x0A) else { throw .malformed("the batch has no header line") }
        let headerValue: JSONValue
        do { headerValue = try JSONParser.parse(Array(bytes[..<newline])) } catch {
            throw .malformed("the header line is not JSON: \(error)")
        }
        let issues = catalog.schema(named: "batch-header")!.validate(headerValue).filter { $0.severity == .error }
        if let first = issues.first {
            throw .malformed("the header does not follow batch-header.json: \(first.instanceLocation) \(first.message)")
        }
        guard let signature = headerValue["signature"]?.stringValue else { throw .unsigned }
        let header = BatchHeader(checked: headerValue)
        guard header.node == peer else { throw .wrongNode(header: header.node, peer: peer) }
        let records = bytes[(newline + 1)...]
        guard key.verify(signature, over: BatchSignature.message(header: header.json, records: records)) else { throw .badSignature }
        guard let created = header.created, abs(now.timeIntervalSince(created)) <= maxAge else {
            throw .stale(createdAt: header.createdAt, maxAge: Int(maxAge))
        }
        return decodeRecords(records, header: header, peer: peer, allowed: allowed)
    }

    private func decodeRecords(_ records: ArraySlice<UInt8>, header: BatchHeader, peer: String,
                               allowed: (@Sendable (String, JSONValue) -> Bool)?) -> Decoded {
        let schema = catalog.schema(named: "envelope")!
        var versions: [Envelope] = []
        var rejected: [IncomingBatch.Rejected] = []
        var notGranted = 0
        var line = 1
        var start = records.startIndex
        while start < records.endIndex {
            let end = records[start...].firstIndex(of: 0x0A) ?? records.endIndex
            defer { start = end + 1 }
            line += 1
            let raw = records[start..<end]
            if raw.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            func reject(_ why: String) {
                rejected.append(.init(text: String(decoding: raw, as: UTF8.self), reason: "batch \(header.batchID) from \(peer), line \(line): \(why)"))
            }
            let value: JSONValue
            do { value = try JSONParser.parse(Array(raw)) } catch { reject("not JSON: \(error)"); continue }
            var e: Envelope
            do { e = try Envelope(json: value) } catch { reject(error.description); continue }
            let maskedPointers = e.masked.map { "/body" + $0 }
            // Messages are built only for a record that fails the fast check.
            let errors = schema.isValid(value) ? [] : schema.validate(value).filter { issue in
                // Masked values no longer match their formats; the signature vouches for them.
                issue.severity == .error && !maskedPointers.contains { issue.instanceLocation.hasPrefix($0) }
            }
            if !errors.isEmpty {
                reject("record \(e.id): " + errors.prefix(3).map { "\($0.instanceLocation): \($0.message)" }.joined(separator: "; "))
                continue
            }
            if e.masked.isEmpty, !e.verifyHash() {
                reject("record \(e.id): its hash does not match its body")
                continue
            }
            if let allowed, !allowed(e.type, e.body) {
                notGranted += 1
                reject("record \(e.id): \(peer) may not write \(e.type) records here (not in its push grant)")
                continue
            }
            versions.append(e)
        }
        var decoded = Decoded(header: header, versions: versions, rejected: rejected)
        decoded.notGranted = notGranted
        return decoded
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
