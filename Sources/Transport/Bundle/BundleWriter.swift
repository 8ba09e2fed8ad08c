import Crypto
import Foundation
import Replication
import Standard
import Store

/// Writes the changes one peer lacks as a bundle file: what a pull by that
/// peer would be answered with (its grant, masking and all), between a signed
/// header line addressed to it and a signed end line, gzip-compressed. With a
/// size limit the range is cut into parts, each a whole bundle of its own
/// (signed, and appliable by itself) over the next stretch of the log, so a
/// transfer device with a file-size limit can carry them in any order.
public struct BundleWriter {
    let store: any ChangeLog
    let key: NodeKey
    let catalog: StandardCatalog
    let peer: PeerEntry
    /// Largest part file in bytes; nil: one file however large.
    let maxBytes: Int?
    let batchSize: Int

    /// One file written.
    public struct Part: Sendable {
        public let path: String
        public let header: BundleHeader
        public let end: BundleEnd
        public let bytes: Int
    }

    public init(store: any ChangeLog, key: NodeKey, catalog: StandardCatalog, peer: PeerEntry, maxBytes: Int? = nil, batchSize: Int = 1_000) {
        self.store = store; self.key = key; self.catalog = catalog; self.peer = peer; self.maxBytes = maxBytes; self.batchSize = batchSize
    }

    /// The smallest part size accepted: a batch of `batchSize` large records must fit.
    public static let minimumPartBytes = 1 << 20

    /// Writes the log after `since` to `path` (one part), or `path.1`, `path.2`, …
    /// (several). Each part is written under a temporary name and renamed when
    /// complete, so a transfer device never picks up half a file. Returns no
    /// part when the log holds nothing for the peer after `since`.
    /// `stop`: asked between batches; true abandons the write (nothing is left behind).
    public func write(to path: String, since start: Int64, stop: () -> Bool = { false }) throws -> [Part] {
        let id = UUID().uuidString.lowercased()
        let selection = OutgoingBatch.Selection.sending(to: peer.grants, catalog: catalog)
        var written: [Part] = []
        var since = start
        var reachedEnd = false
        var temporary = ""
        // A failure leaves no file behind, whole or half written.
        func discard() {
            for p in written { try? FileManager.default.removeItem(atPath: p.path) }
            try? FileManager.default.removeItem(atPath: temporary)
        }
        do {
            while !reachedEnd {
                let number = written.count + 1
                temporary = "\(path).part\(number).tmp"
                guard FileManager.default.createFile(atPath: temporary, contents: nil), let file = FileHandle(forWritingAtPath: temporary) else {
                    throw BundleError("cannot write \(temporary): check that the folder exists and this user may write in it")
                }
                var bytes = 0
                func put(_ b: [UInt8]) { if !b.isEmpty { file.write(Data(b)); bytes += b.count } }
                var open = true
                defer { if open { try? file.close() } }
                let deflater = Deflater()
                let header = BundleHeader(bundleID: id, from: store.nodeID, to: peer.name, epoch: store.epoch, seqFrom: since, part: number)
                let (headerLine, headerSignature) = try header.signed(by: key)
                put(deflater.compress(headerLine))
                let content = ContentDigest()
                var batches = 0, records = 0, largest = 0
                while true {
                    if stop() { throw BundleError("abandoned: this node is stopping") }
                    let batch = OutgoingBatch(store: store, key: key, schemaVersion: catalog.version, peer: peer.name, since: since, limit: batchSize,
                                              deflater: deflater, selection: selection)
                    batch.tap = { content.digest.update(data: $0) }
                    let before = bytes
                    while let piece = try batch.next() { put(piece) }
                    batches += 1
                    records += batch.count
                    largest = max(largest, bytes - before)
                    reachedEnd = batch.reachedEnd || batch.cursor == since
                    since = batch.cursor
                    if reachedEnd { break }
                    // The next batch might not fit: it goes into the next part.
                    if let maxBytes, bytes + 2 * largest + (64 << 10) > maxBytes { break }
                }
                let end = BundleEnd(bundleID: id, seqTo: since, batches: batches, records: records,
                                    contentHash: ContentHash.hex(content.digest.finalize()))
                put(deflater.compress(try end.line(signedBy: key, headerSignature: headerSignature)))
                put(deflater.finish())
                open = false
                try file.close()
                if let maxBytes, bytes > maxBytes {
                    throw BundleError("a part would be \(bytes) bytes, more than the \(maxBytes) allowed: one batch of \(batchSize) records takes about \(largest) bytes here; give a larger size")
                }
                written.append(Part(path: temporary, header: header, end: end, bytes: bytes))
                temporary = ""
            }
        } catch {
            discard()
            throw error
        }
        // Nothing for the peer: no file at all.
        if written.reduce(0, { $0 + $1.end.records }) == 0 {
            discard()
            return []
        }
        return try written.enumerated().map { i, p in
            let final = written.count == 1 ? path : "\(path).\(i + 1)"
            if FileManager.default.fileExists(atPath: final) { try FileManager.default.removeItem(atPath: final) }
            try FileManager.default.moveItem(atPath: p.path, toPath: final)
            return Part(path: final, header: p.header, end: p.end, bytes: p.bytes)
        }
    }
}

/// The running SHA-256 of a bundle's batch lines, fed from `OutgoingBatch.tap`.
final class ContentDigest {
    var digest = SHA256()
}

