import Foundation
import JSON

/// The last line of a bundle file: how far in the writer's log it reaches, how
/// many batches and records it holds, and the SHA-256 of every byte between
/// the header line and itself, signed with the header's signature, so that a
/// batch removed, added or reordered, or a file cut short, is found.
public struct BundleEnd: Sendable, Equatable {
    public var bundleID: String
    public var seqTo: Int64
    public var batches: Int
    public var records: Int
    /// Lower-case hex SHA-256 of the batch lines, as written before compression.
    public var contentHash: String

    var fields: JSONObject {
        var o = JSONObject()
        o["hutong_bundle_end"] = .int(Int64(BundleHeader.format))
        o["bundle_id"] = .string(bundleID)
        o["seq_to"] = .int(seqTo)
        o["batches"] = .int(Int64(batches))
        o["records"] = .int(Int64(records))
        o["sha256"] = .string(contentHash)
        return o
    }

    /// What the signature covers: the header's signature (binding the end to
    /// that header) and the end's own canonical fields.
    private func message(headerSignature: String) -> [UInt8] {
        Array(headerSignature.utf8) + [0x0A] + BatchDigest.canonicalLine(fields)
    }

    func line(signedBy key: NodeKey, headerSignature: String) throws -> [UInt8] {
        var o = fields
        o["signature"] = .string(try key.sign(message(headerSignature: headerSignature)))
        return Array(JSONWriter.string(.object(o)).utf8) + [0x0A]
    }

    init(bundleID: String, seqTo: Int64, batches: Int, records: Int, contentHash: String) {
        self.bundleID = bundleID; self.seqTo = seqTo; self.batches = batches; self.records = records; self.contentHash = contentHash
    }

    init?(line: JSONValue) {
        guard line["hutong_bundle_end"]?.intValue == Int64(BundleHeader.format),
              let id = line["bundle_id"]?.stringValue, let seqTo = line["seq_to"]?.intValue, seqTo >= 0,
              let batches = line["batches"]?.intValue, batches >= 0, batches <= Int64(Int32.max),
              let records = line["records"]?.intValue, records >= 0, records <= Int64(Int32.max),
              let hash = line["sha256"]?.stringValue else { return nil }
        bundleID = id; self.seqTo = seqTo; self.batches = Int(batches); self.records = Int(records); contentHash = hash
    }

    func verify(_ line: JSONValue, key: PeerKey, headerSignature: String) -> Bool {
        guard let signature = line["signature"]?.stringValue else { return false }
        return key.verify(signature, over: message(headerSignature: headerSignature))
    }
}
