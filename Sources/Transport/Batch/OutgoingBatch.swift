import Replication
import Standard
import Store

/// A batch read from this node's change log while it is sent: what a pull is
/// answered with, and what a push uploads. The log is read a few hundred
/// records at a time and each piece is compressed and handed on at once, so
/// memory holds one piece, not the batch, and the receiver starts checking
/// records before the sender has read the last of them.
public final class OutgoingBatch: @unchecked Sendable {
    public let header: BatchHeader
    let store: any ChangeLog
    let peer: String
    let limit: Int
    /// What the peer gets of each version.
    public enum Selection: Sendable {
        /// Versions as stored, of the record types `including` admits: lines
        /// are written from the stored text, nothing is parsed.
        case asStored(including: @Sendable (String) -> Bool)
        /// Each version read with its body, then given as `filter` makes it:
        /// itself, a masked copy, or nothing (not in the grant). For grants
        /// that must look at bodies (masking, regions).
        case filtered(@Sendable (Envelope) -> Envelope?)
    }

    let selection: Selection
    let writer: BatchWriter
    /// The gzip stream the batch is written into; shared by the batches of
    /// one pull answer, which form one stream (`endsStream` false: the owner finishes it).
    let deflater: Deflater
    let endsStream: Bool
    /// Records read from the log per piece.
    let pieceSize: Int
    /// How far the log has been read.
    public private(set) var cursor: Int64
    /// The whole rest of the log was read (rather than `limit` records of it).
    public private(set) var reachedEnd = false
    private var scanned = 0
    private var scanDone = false
    private var finished = false
    private var lines: [UInt8]

    public init(store: any ChangeLog, key: NodeKey, schemaVersion: String, peer: String, since: Int64, limit: Int,
                pieceSize: Int = 100, deflater: Deflater? = nil, selection: Selection) {
        header = BatchHeader(node: store.nodeID, epoch: store.epoch, seqFrom: since, schemaVersion: schemaVersion)
        self.store = store; self.peer = peer; self.limit = limit; self.pieceSize = pieceSize; self.selection = selection
        self.deflater = deflater ?? Deflater()
        endsStream = deflater == nil
        cursor = since
        writer = BatchWriter(header: header, key: key)
        lines = writer.headerLine
    }

    /// Records written so far (all of them once the batch is finished).
    public var count: Int { writer.count }

    /// Shown every byte of the batch before it is compressed (a bundle hashes them).
    public var tap: (([UInt8]) -> Void)?

    /// The records written so far by type, for the daemon's counters.
    public private(set) var countsByType: [String: Int] = [:]

    /// Reads the log until a record for the peer turns up, or the batch's
    /// range is used up: false when the batch would carry nothing.
    public func hasRecords() throws -> Bool {
        while writer.count == 0 && !scanDone { try readPiece() }
        return writer.count > 0
    }

    /// The next piece of the gzip stream; nil after the last (which carries
    /// the signed end line, and ends the stream unless it is shared).
    public func next() throws -> [UInt8]? {
        guard !finished else { return nil }
        if !scanDone && lines.count < 1 << 16 { try readPiece() }
        tap?(lines)
        var out = deflater.compress(lines)
        lines.removeAll(keepingCapacity: true)
        if scanDone {
            let end = try writer.end(seqTo: cursor)
            tap?(end)
            out += deflater.compress(end)
            if endsStream { out += deflater.finish() }
            finished = true
        }
        return out
    }

    private func readPiece() throws {
        let n = min(pieceSize, limit - scanned)
        let looked: Int
        switch selection {
        case .asStored(let including):
            let start = lines.count
            var counts = countsByType
            let c = try store.changeLines(since: cursor, excludingPeer: peer, limit: n, including: { type in
                guard including(type) else { return false }
                counts[type, default: 0] += 1
                return true
            }, into: &lines)
            countsByType = counts
            writer.appended(lines, from: start, count: c.lines)
            looked = c.scanned
            cursor = c.lastSequence
        case .filtered(let filter):
            let c = try store.changes(since: cursor, excludingPeer: peer, limit: n, bodies: true)
            for v in c.versions {
                if let sent = filter(v) {
                    writer.append(sent, to: &lines)
                    countsByType[sent.type, default: 0] += 1
                }
            }
            looked = c.versions.count
            cursor = c.lastSequence
        }
        scanned += looked
        // A short piece reached the end of the log.
        reachedEnd = looked < n
        scanDone = reachedEnd || scanned >= limit
    }
}

/// An outgoing batch as a request body for `PeerClient`.
final class OutgoingBatchUpload: UploadSource {
    let batch: OutgoingBatch
    private var buffer: [UInt8] = []
    private var offset = 0

    init(_ batch: OutgoingBatch) { self.batch = batch }

    func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        while offset == buffer.count {
            guard let more = try batch.next() else { return 0 }
            buffer = more
            offset = 0
        }
        let n = min(out.count, buffer.count - offset)
        buffer.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
}
