import Foundation
import HutongTesting
import GRDB
import Testing
@testable import Replication
@testable import Standard
@testable import Store

@Suite struct CheckpointTests {
    typealias F = StoreFixtures

    /// Writes `n` penalties in transactions of `each`, returning the largest size the log reached.
    static func write(_ s: SQLiteNodeStore, _ n: Int, each: Int) throws -> Int {
        let bodies = try F.samples("penalty", n, seed: 7)
        var largest = 0
        for start in stride(from: 0, to: n, by: each) {
            _ = try s.write(bodies[start..<min(n, start + each)].map { (type: "penalty", body: $0) })
            let size = (try? FileManager.default.attributesOfItem(atPath: s.path + "-wal")[.size] as? Int) ?? 0
            largest = max(largest, size)
        }
        return largest
    }

    @Test func theLogIsCopiedBackAndStaysBounded() throws {
        let path = F.path()
        let limit = 800_000
        let s = try SQLiteNodeStore.create(path: path, nodeID: "a", catalog: F.catalog,
                                           checkpointer: WALCheckpointer(path: path, softBytes: 80_000, hardBytes: limit))
        let largest = try Self.write(s, 3_000, each: 50)
        let record = s.checkpointer.record
        #expect(record.lastFailure == nil)
        // Whether the copier or the writer made them depends on timing (on a fast disk the copier may catch up between writes).
        #expect(record.completed > 0)
        // 3,000 records of about 1.5 KB are over 4 MB: a log that was never
        // started over would hold them all. Bounded: the limit plus one
        // transaction (50 records and the index pages they touched).
        #expect(largest > 0 && largest <= limit + 500_000)
        #expect(try s.info().recordsByType["penalty"] == 3_000)
    }

    @Test func aCopierThatFailsLeavesItToTheWriter() throws {
        let path = F.path()
        // The copier's own connection cannot open this: its copies fail, so the writer's must do.
        let s = try SQLiteNodeStore.create(path: path, nodeID: "a", catalog: F.catalog,
                                           checkpointer: WALCheckpointer(path: path + "-missing/store", softBytes: 80_000, hardBytes: 400_000_000))
        let largest = try Self.write(s, 1_000, each: 50)
        let record = s.checkpointer.record
        #expect(record.lastFailure?.contains("cannot open") == true)
        #expect(record.byWriter > 0 && record.completed == record.byWriter)
        #expect(largest > 0)
        #expect(try s.info().recordsByType["penalty"] == 1_000)
    }

    @Test func aNewStoreHasLargePagesAndAnOldOneKeepsItsOwn() throws {
        let path = F.path()
        let s = try SQLiteNodeStore.create(path: path, nodeID: "a", catalog: F.catalog)
        #expect(try s.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == SQLiteNodeStore.pageSize)
        // A store made with SQLite's default pages (as stores were before) is written with them.
        let old = F.path()
        do {
            let pool = try DatabasePool(path: old)
            try SQLiteNodeStore.migrator.migrate(pool)
            try pool.write { db in
                for (k, v) in [("node_id", "old-node"), ("epoch", "e1"), ("last_seq", "0"), ("hlc", "1717056000000.0")] {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [k, v])
                }
            }
        }
        let reopened = try SQLiteNodeStore.open(path: old, catalog: F.catalog)
        _ = try Self.write(reopened, 200, each: 50)
        #expect(try reopened.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 4_096)
        #expect(try reopened.info().recordsByType["penalty"] == 200)
    }

    @Test func closingTheStoreRemovesTheLog() throws {
        let path = F.path()
        do {
            let s = try SQLiteNodeStore.create(path: path, nodeID: "a", catalog: F.catalog,
                                               checkpointer: WALCheckpointer(path: path, softBytes: 80_000, hardBytes: 40_000_000))
            _ = try Self.write(s, 400, each: 100)
            #expect(s.checkpointer.record.completed > 0)
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        }
        // The checkpointer's own connection is closed first, so the pool's is the last and takes the log with it.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let reopened = try SQLiteNodeStore.open(path: path, catalog: F.catalog)
        #expect(try reopened.info().recordsByType["penalty"] == 400)
        #expect(try reopened.pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
    }
}
