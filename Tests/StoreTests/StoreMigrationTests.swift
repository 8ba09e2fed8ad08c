import Foundation
import HutongTesting
import GRDB
import Testing
@testable import Replication
@testable import Standard
@testable import Store
import JSON

/// A store written by an earlier version of Hutong opens in this one.
@Suite struct StoreMigrationTests {
    typealias F = StoreFixtures

    @Test func aVersionOneStoreOpensAndGoesOn() throws {
        let path = F.path()
        let body = try F.samples("penalty", 1)[0]
        let rt = F.catalog.recordTypes["penalty"]!
        let id = try RecordID.derive(type: rt, body: body).uuidString.lowercased()
        // The layout of migration v1, filled as that version wrote it.
        do {
            let pool = try DatabasePool(path: path)
            try SQLiteNodeStore.migrator.migrate(pool, upTo: "v1")
            try pool.write { db in
                for (k, v) in [("node_id", "old-node"), ("epoch", "e1"), ("last_seq", "1"), ("hlc", "1717056000000.0"), ("created_at", "2026-01-01T00:00:00Z")] {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [k, v])
                }
                try db.execute(sql: """
                    INSERT INTO records (id, type, owner, vv, hlc, writer, deleted, hash, body, conflicts, seq, from_peer)
                    VALUES (?, 'penalty', 'old-node', '{"old-node":1}', '1717056000000.0', 'old-node', 0, ?, ?, NULL, 1, NULL)
                    """, arguments: [id, ContentHash.of(body), JSONWriter.string(body)])
            }
        }
        let store = try SQLiteNodeStore.open(path: path, catalog: F.catalog)
        let old = try #require(try store.record(id: id))
        #expect(old.vv.description == VersionVector(["old-node": 1]).description && old.body == body)
        // The change log goes on from where v1 left it.
        var edited = body.objectValue!
        edited["remarks"] = "迁移后修改"
        let e = try #require(try store.write(type: "penalty", body: .object(edited)))
        #expect(e.vv[("old-node")] == 2)
        let changes = try store.changes(since: 0, excludingPeer: nil, limit: 10)
        #expect(changes.versions.map(\.id) == [id] && changes.lastSequence == 2)
        #expect(try store.records(type: "penalty", after: nil, limit: 10).count == 1)
    }
}
