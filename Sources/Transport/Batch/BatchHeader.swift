import Foundation
import Standard

/// The first line of a batch (DESIGN.md, Batch format; `Schemas/batch-header.json`).
public struct BatchHeader: Sendable, Equatable {
    public var batchID: String
    public var node: String
    public var epoch: String
    public var seqFrom: Int64
    public var seqTo: Int64
    public var count: Int
    public var schemaVersion: String
    public var createdAt: String
    /// Leaves out some changes of its range: the receiver keeps its cursor.
    public var partial: Bool

    public init(batchID: String = UUID().uuidString.lowercased(), node: String, epoch: String, seqFrom: Int64, seqTo: Int64,
                count: Int, schemaVersion: String, createdAt: Date = Date(), partial: Bool = false) {
        self.batchID = batchID; self.node = node; self.epoch = epoch; self.seqFrom = seqFrom; self.seqTo = seqTo
        self.count = count; self.schemaVersion = schemaVersion; self.partial = partial
        self.createdAt = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(createdAt)
    }

    /// The header without its signature: what the signature covers.
    public var json: JSONObject {
        var h = JSONObject()
        h["protocol"] = 1
        h["batch_id"] = .string(batchID)
        h["node"] = .string(node)
        h["epoch"] = .string(epoch)
        h["seq_from"] = .int(seqFrom)
        h["seq_to"] = .int(seqTo)
        h["count"] = .int(Int64(count))
        h["schema_version"] = .string(schemaVersion)
        h["created_at"] = .string(createdAt)
        if partial { h["partial"] = true }
        return h
    }

    /// Reads a header already checked against `batch-header.json`.
    init(checked h: JSONValue) {
        batchID = h["batch_id"]?.stringValue ?? ""
        node = h["node"]?.stringValue ?? ""
        epoch = h["epoch"]?.stringValue ?? ""
        seqFrom = h["seq_from"]?.intValue ?? 0
        seqTo = h["seq_to"]?.intValue ?? 0
        count = Int(h["count"]?.intValue ?? 0)
        schemaVersion = h["schema_version"]?.stringValue ?? ""
        createdAt = h["created_at"]?.stringValue ?? ""
        partial = h["partial"]?.boolValue ?? false
    }

    var created: Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(createdAt))
            ?? (try? Date.ISO8601FormatStyle().parse(createdAt))
    }
}
