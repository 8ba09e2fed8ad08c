import Foundation
import HutongTesting
import GRDB
import Postgres
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

    /// The stores the shared tests run on, so that their behaviour cannot drift apart.
    enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A new store for `node`: a SQLite file, or a database of its own on the tests' PostgreSQL server.
    static func store(_ node: String, _ backend: Backend = .sqlite) throws -> any NodeStore {
        switch backend {
        case .sqlite:
            return try SQLiteNodeStore.create(path: path(), nodeID: node, catalog: catalog)
        case .postgres:
            guard PostgresServer.isAvailable else { throw PostgresFailure(PostgresServer.missing) }
            return try PostgresNodeStore.create(target: try PostgresServer.shared.get().database(), nodeID: node, catalog: catalog)
        }
    }

    /// Runs `sql` on the store's own database, behind its back (a test that tampers with it).
    static func tamper(_ store: any NodeStore, _ sql: String) throws {
        if let s = store as? SQLiteNodeStore {
            try DatabaseQueue(path: s.path).write { try $0.execute(sql: sql) }
        } else if let s = store as? PostgresNodeStore {
            let session = try PostgresSession(s.target)
            try session.execute("SET search_path TO \(PostgresNodeStore.schema)")
            try session.execute(sql)
        }
    }

    static func samples(_ type: String, _ n: Int, seed: UInt64 = 1) throws -> [JSONValue] {
        var g = try SampleGenerator(type: type, seed: seed)
        return (0..<n).map { _ in g.next().record }
    }

    /// Sends everything `from` has that `to` lacks, as a pull by `to` would.
    @discardableResult
    static func sync(_ from: any NodeStore, to: any NodeStore, batchID: String? = UUID().uuidString) throws -> BatchResult {
        let since = try to.cursor(peer: from.nodeID, direction: .pull).map { $0.epoch == from.epoch ? $0.sequence : 0 } ?? 0
        let c = try from.changes(since: since, excludingPeer: to.nodeID, limit: 100_000)
        return try to.apply(IncomingBatch(peer: from.nodeID, batchID: batchID, versions: c.versions,
                                          cursor: PeerCursor(peer: from.nodeID, direction: .pull, epoch: c.epoch, sequence: c.lastSequence)))
    }

    static func state(_ s: any NodeStore) throws -> [String] {
        try s.records(type: nil, after: nil, limit: 1_000_000).map(\.convergenceKey)
    }
}
