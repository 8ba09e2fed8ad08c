import Foundation
import HutongTesting
import Replication
import Standard
import Store
import Testing
@testable import Transport

enum TransportFixtures {
    static let repo = TestRepository.root
    static let catalog: StandardCatalog = try! StandardCatalog(directory: repo.appendingPathComponent("Schemas"))

    /// Versions as node-a would store them, from sample records.
    static func envelopes(_ type: String, _ n: Int, seed: UInt64 = 1) throws -> [Envelope] {
        var g = try SampleGenerator(type: type, seed: seed)
        return try (0..<n).map { i in
            let body = g.next().record
            let id = try RecordID.derive(type: catalog.recordTypes[type]!, body: body).uuidString.lowercased()
            return try MergeRules.write(current: nil, id: id, type: type, body: body, deleted: false, node: "node-a",
                                    hlc: HLCTimestamp(millis: 1_700_000_000_000 + UInt64(i)))!
        }
    }

    static func header(node: String = "node-a", created: Date = Date()) -> BatchHeader {
        BatchHeader(node: node, epoch: UUID().uuidString.lowercased(), seqFrom: 0, schemaVersion: catalog.version, createdAt: created)
    }

    static func encode(_ envelopes: [Envelope], header: BatchHeader = header(), key: NodeKey?) throws -> [UInt8] {
        try BatchWriter.encode(header: header, envelopes: envelopes, seqTo: Int64(envelopes.count), key: key)
    }
}
