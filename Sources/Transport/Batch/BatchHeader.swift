import Foundation
import Standard
import JSON

/// The first line of a batch (docs/architecture.md, "Batches"; `Schemas/batch-header.json`):
/// what is known before the first record is written, so a batch can be
/// streamed. What is known only at the end is in its last line, `BatchEnd`.
public struct BatchHeader: Sendable, Equatable {
    public var batchID: String
    public var node: String
    public var epoch: String
    public var seqFrom: Int64
    public var schemaVersion: String
    public var createdAt: String

    public init(batchID: String = UUID().uuidString.lowercased(), node: String, epoch: String, seqFrom: Int64,
                schemaVersion: String, createdAt: Date = Date()) {
        self.batchID = batchID; self.node = node; self.epoch = epoch; self.seqFrom = seqFrom; self.schemaVersion = schemaVersion
        self.createdAt = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(createdAt)
    }

    public var json: JSONObject {
        var h = JSONObject()
        h["protocol"] = 1
        h["batch_id"] = .string(batchID)
        h["node"] = .string(node)
        h["epoch"] = .string(epoch)
        h["seq_from"] = .int(seqFrom)
        h["schema_version"] = .string(schemaVersion)
        h["created_at"] = .string(createdAt)
        return h
    }

    /// Reads a header already checked against `batch-header.json`.
    init(checked h: JSONValue) {
        batchID = h["batch_id"]?.stringValue ?? ""
        node = h["node"]?.stringValue ?? ""
        epoch = h["epoch"]?.stringValue ?? ""
        seqFrom = h["seq_from"]?.intValue ?? 0
        schemaVersion = h["schema_version"]?.stringValue ?? ""
        createdAt = h["created_at"]?.stringValue ?? ""
    }

    /// RFC 3339 allows a lower-case `t` and `z`, which Foundation's parser does not.
    var created: Date? {
        let text = createdAt.uppercased()
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}

/// The last line of a batch (`Schemas/batch-end.json`): how many records it
/// held, how far in the sender's log it reached, and the signature over all
/// of it. A batch without it was cut short and is refused.
public struct BatchEnd: Sendable, Equatable {
    public var count: Int
    public var seqTo: Int64
    /// Leaves out some changes of its range: the receiver keeps its cursor.
    public var partial: Bool

    public init(count: Int, seqTo: Int64, partial: Bool = false) {
        self.count = count; self.seqTo = seqTo; self.partial = partial
    }

    /// The line without its signature: what the signature covers.
    public var json: JSONObject {
        var o = JSONObject()
        o["batch_end"] = true
        o["count"] = .int(Int64(count))
        o["seq_to"] = .int(seqTo)
        if partial { o["partial"] = true }
        return o
    }

    init(checked o: JSONValue) {
        count = Int(o["count"]?.intValue ?? 0)
        seqTo = o["seq_to"]?.intValue ?? 0
        partial = o["partial"]?.boolValue ?? false
    }
}
