import Foundation
import JSON

/// The first line of a bundle file: who wrote it, for whom, and from where in
/// the writer's log. It is signed on its own, so that a receiver knows the
/// file is addressed to it before it applies anything of it.
public struct BundleHeader: Sendable, Equatable {
    public static let format = 1
    public var bundleID: String
    public var from: String
    public var to: String
    public var epoch: String
    public var seqFrom: Int64
    /// 1 for a whole bundle; 1, 2, … for the parts of one split by size.
    public var part: Int
    public var createdAt: String

    public init(bundleID: String = UUID().uuidString.lowercased(), from: String, to: String, epoch: String, seqFrom: Int64, part: Int = 1,
                createdAt: Date = Date()) {
        self.bundleID = bundleID; self.from = from; self.to = to; self.epoch = epoch; self.seqFrom = seqFrom; self.part = part
        self.createdAt = Date.ISO8601FormatStyle().format(createdAt)
    }

    var fields: JSONObject {
        var o = JSONObject()
        o["hutong_bundle"] = .int(Int64(Self.format))
        o["bundle_id"] = .string(bundleID)
        o["part"] = .int(Int64(part))
        o["from"] = .string(from)
        o["to"] = .string(to)
        o["epoch"] = .string(epoch)
        o["seq_from"] = .int(seqFrom)
        o["created_at"] = .string(createdAt)
        return o
    }

    /// The line, signed over its canonical form, and its signature (which the end line's covers).
    func signed(by key: NodeKey) throws -> (line: [UInt8], signature: String) {
        var o = fields
        let signature = try key.sign(BatchDigest.canonicalLine(fields))
        o["signature"] = .string(signature)
        return (Array(JSONWriter.string(.object(o)).utf8) + [0x0A], signature)
    }

    /// Reads a header line; nil when it is not one (the caller says what the file is instead).
    init?(line: JSONValue) {
        guard line["hutong_bundle"]?.intValue == Int64(Self.format),
              let id = line["bundle_id"]?.stringValue, let from = line["from"]?.stringValue, let to = line["to"]?.stringValue,
              let epoch = line["epoch"]?.stringValue, let seqFrom = line["seq_from"]?.intValue, seqFrom >= 0,
              let part = line["part"]?.intValue, part >= 1, part <= Int64(Int32.max),
              let created = line["created_at"]?.stringValue else { return nil }
        bundleID = id; self.from = from; self.to = to; self.epoch = epoch; self.seqFrom = seqFrom; self.part = Int(part); createdAt = created
    }

    /// Whether `line`'s signature is `key`'s over these fields.
    func verify(_ line: JSONValue, key: PeerKey) -> Bool {
        guard let signature = line["signature"]?.stringValue else { return false }
        return key.verify(signature, over: BatchDigest.canonicalLine(fields))
    }
}
