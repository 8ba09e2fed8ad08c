import Foundation
import HutongTesting
import GRDB
import Testing
@testable import Replication
@testable import Standard
@testable import Store
import JSON

enum StoreFixtures {
    static let catalog = TestRepository.catalog

    static func path() -> String {
        let dir = NSTemporaryDirectory() + "hutong-store-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/node.sqlite"
    }

    static func store(_ node: String) throws -> SQLiteNodeStore {
        try SQLiteNodeStore.create(path: path(), nodeID: node, catalog: catalog)
    }

    static func samples(_ type: String, _ n: Int, seed: UInt64 = 1) throws -> [JSONValue] {
        var g = try SampleGenerator(type: type, seed: seed)
        return (0..<n).map { _ in g.next().record }
    }

    /// Sends everything `from` has that `to` lacks, as a pull by `to` would.
    @discardableResult
    static func sync(_ from: SQLiteNodeStore, to: SQLiteNodeStore, batchID: String? = UUID().uuidString) throws -> BatchResult {
        let since = try to.cursor(peer: from.nodeID, direction: .pull).map { $0.epoch == from.epoch ? $0.sequence : 0 } ?? 0
        let c = try from.changes(since: since, excludingPeer: to.nodeID, limit: 100_000)
        return try to.apply(IncomingBatch(peer: from.nodeID, batchID: batchID, versions: c.versions,
                                          cursor: PeerCursor(peer: from.nodeID, direction: .pull, epoch: c.epoch, sequence: c.lastSequence)))
    }

    static func state(_ s: SQLiteNodeStore) throws -> [String] {
        try s.records(type: nil, after: nil, limit: 1_000_000).map(\.convergenceKey)
    }
}
