import Foundation
import Transport

/// What `export` wrote.
public struct ExportReport: Sendable {
    public let records: Int
    /// The change-log range the file covers.
    public let since: Int64
    public let reached: Int64
}

extension Node {
    /// Writes this node's versions after `since` as one batch in the peer API's
    /// format, unsigned: header, envelopes in sequence order, end line; so that
    /// `import` at another node applies the file exactly as a received batch.
    /// Versions received from `forPeer` are left out, as its pull would; a
    /// `type` filter makes the batch partial (the receiver keeps its cursor).
    public func export(to out: FileHandle, type: String? = nil, since: Int64 = 0, forPeer: String? = nil) throws -> ExportReport {
        let writer = BatchWriter(header: BatchHeader(node: store.nodeID, epoch: store.epoch, seqFrom: since, schemaVersion: catalog.version), key: nil)
        var buffer = writer.headerLine
        var cursor = since
        while true {
            let page = try store.changes(since: cursor, excludingPeer: forPeer, limit: 10_000, bodies: false)
            for v in page.versions where type == nil || v.type == type { writer.append(v, to: &buffer) }
            if buffer.count > 1 << 20 { out.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
            if page.lastSequence == cursor { break }
            cursor = page.lastSequence
        }
        buffer += try writer.end(seqTo: cursor, partial: type != nil)
        out.write(Data(buffer))
        return ExportReport(records: writer.count, since: since, reached: cursor)
    }
}
