import Foundation
import JSON

/// What a node that applied bundles sends back over the same file link: how
/// far it now holds the sender's log without a gap. Signed by the node that
/// applied, addressed to the one that wrote the bundles, which moves its
/// cursor for that peer there, so that its next bundle starts from that point
/// (without any, each bundle starts from the last point acknowledged, and
/// overlapping bundles apply without harm).
public struct Acknowledgement: Sendable, Equatable {
    public static let format = 1
    /// The node that applied the bundles.
    public var from: String
    /// The node that wrote them.
    public var to: String
    /// The epoch and sequence of `to`'s log that `from` holds everything up to.
    public var epoch: String
    public var sequence: Int64
    /// The last bundle applied, for the audit log.
    public var bundleID: String
    public var createdAt: String

    public init(from: String, to: String, epoch: String, sequence: Int64, bundleID: String, createdAt: Date = Date()) {
        self.from = from; self.to = to; self.epoch = epoch; self.sequence = sequence; self.bundleID = bundleID
        self.createdAt = Date.ISO8601FormatStyle().format(createdAt)
    }

    var fields: JSONObject {
        var o = JSONObject()
        o["hutong_ack"] = .int(Int64(Self.format))
        o["from"] = .string(from)
        o["to"] = .string(to)
        o["epoch"] = .string(epoch)
        o["sequence"] = .int(sequence)
        o["bundle_id"] = .string(bundleID)
        o["created_at"] = .string(createdAt)
        return o
    }

    /// The file's text: one signed line.
    public func text(signedBy key: NodeKey) throws -> String {
        var o = fields
        o["signature"] = .string(try key.sign(BatchDigest.canonicalLine(fields)))
        return JSONWriter.string(.object(o)) + "\n"
    }

    /// Reads an acknowledgement's line; nil when it is not one.
    public init?(line: JSONValue) {
        guard line["hutong_ack"]?.intValue == Int64(Self.format), let from = line["from"]?.stringValue, let to = line["to"]?.stringValue,
              let epoch = line["epoch"]?.stringValue, let sequence = line["sequence"]?.intValue, sequence >= 0,
              let id = line["bundle_id"]?.stringValue, let created = line["created_at"]?.stringValue else { return nil }
        self.from = from; self.to = to; self.epoch = epoch; self.sequence = sequence; bundleID = id; createdAt = created
    }

    public func verify(_ line: JSONValue, key: PeerKey) -> Bool {
        guard let signature = line["signature"]?.stringValue else { return false }
        return key.verify(signature, over: BatchDigest.canonicalLine(fields))
    }
}
