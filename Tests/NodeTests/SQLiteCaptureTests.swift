import Capture
import Foundation
import GRDB
import HutongTesting
import Normalise
import Store
import Testing
@testable import Node

/// Capture from a real agency SQLite database in trigger mode: the
/// snapshot, then the clerk's inserts, updates and deletes through the
/// outbox, each row through the worked example's mapping.
@Suite struct SQLiteCaptureTests {
    /// `node` with a `[[sources]]` entry for `table` of `database`, opened again.
    static func withSource(_ node: Node, database: String, table: String = "t_xzcf", key: String? = nil, extra: String = "") throws -> Node {
        let mapping = MappedImportTests.example.appendingPathComponent("penalty.toml").path
        let block = """

            [[sources]]
            name = "xzcf"
            database = "\(database)"
            table = "\(table)"
            mapping = "\(mapping)"
            \(key.map { "key = \"\($0)\"" } ?? "")
            \(extra)

            """
        let handle = try FileHandle(forWritingTo: node.configuration.file)
        handle.seekToEndOfFile()
        handle.write(Data(block.utf8))
        try handle.close()
        return try Node.open(configurationPath: node.configuration.file.path, schemas: NodeFixtures.schemas)
    }

    static func outbox(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM _hutong_outbox") ?? 0 }
    }

    @Test func theSnapshotThenTheClerksChanges() throws {
        let (created, dir) = try NodeFixtures.create("node-c")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db)
        let node = try Self.withSource(created, database: db)

        // Without its triggers, the source says how to install them; nothing is read.
        let before = try node.captureOnce()
        #expect(before.count == 1 && before[0].error?.contains("hutong capture install xzcf") == true, "\(before)")
        #expect(try node.store.sourceState("xzcf")?.lastError?.contains("not installed") == true)

        #expect(try node.installCapture("xzcf") == false)
        let first = try #require(try node.captureOnce().first?.report)
        #expect(first.counts["written"] == 5 && first.quarantined == 3, "\(first)")
        #expect(try node.store.sourceState("xzcf")?.position == "outbox")
        #expect(try node.store.sourceState("xzcf")?.lastError == nil)
        let q = try node.store.quarantine(limit: 10).map(\.reason)
        #expect(q.contains { $0.contains("agency.sqlite#t_xzcf:ID 1006") && $0.contains("unknown-code") }, "\(q)")

        // The clerk's day: a fine corrected, a decision added, one withdrawn.
        // The 1003 update changes nothing the mapping reads: a note, but no new version.
        try AgencyTable.clerksDay(db, noChange: "ID = ID")
        #expect(try Self.outbox(db) == 4)
        let second = try #require(try node.captureOnce().first?.report)
        #expect(second.counts["written"] == 2 && second.counts["deleted"] == 1 && second.counts["unchanged"] == 1, "\(second)")
        #expect(try Self.outbox(db) == 0)
        let stored = try node.store.records(type: "penalty", after: nil, limit: 100)
        #expect(stored.contains { $0.body["decision_number"] == "苏市监罚〔2023〕12号" && $0.body["fine_fen"] == 2_500_000 })
        #expect(stored.contains { $0.body["decision_number"] == "苏市监罚〔2023〕777号" && !$0.deleted })
        #expect(stored.filter(\.deleted).count == 1)
        #expect(try node.store.sourceState("xzcf")?.rows == 5)

        // Nothing new: nothing stored, no version.
        let sequence = try node.store.info().lastSequence
        let third = try #require(try node.captureOnce().first?.report)
        #expect(third.counts.isEmpty && third.quarantined == 0, "\(third)")
        #expect(try node.store.info().lastSequence == sequence)
    }

    @Test func aLongSnapshotGoesInPagesAndTheOutboxCatchesWhatChangedMeanwhile() throws {
        let (created, dir) = try NodeFixtures.create("node-p")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db, rows: try AgencyTable.rows(copies: 500))
        let node = try Self.withSource(created, database: db)
        try node.installCapture("xzcf")
        // A change noted before the snapshot reads the row: both agree on the row as it is now.
        try DatabaseQueue(path: db).write { db in try db.execute(sql: "UPDATE t_xzcf SET CF_NR_FK = 0.25 WHERE ID = 10000") }
        let report = try #require(try node.captureOnce(transactionSize: 300).first?.report)
        #expect(report.counts["written"] == 2_500, "\(report)")
        #expect(report.counts["unchanged"] == 1, "\(report)")
        #expect(try node.store.info().lastSequence == 2_500)
        #expect(try Self.outbox(db) == 0)
        // The links by record, put off while the snapshot ran, are indexed once it ended.
        let store = try #require(node.store as? SQLiteNodeStore)
        let indexed = try DatabaseQueue(path: store.path).read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'source_rows_record')")
        }
        #expect(indexed == true)
    }

    @Test func tablesWithoutOneKeyAndMissingColumnsAreNamed() throws {
        let (created, dir) = try NodeFixtures.create("node-b")
        let db = dir + "/agency.sqlite"
        try DatabaseQueue(path: db).write { db in
            try db.execute(sql: "CREATE TABLE t_xzcf (CF_WSH TEXT, CF_XDR_MC TEXT)")
            try db.execute(sql: "CREATE TABLE t_two (A TEXT, B TEXT, PRIMARY KEY (A, B))")
        }
        var node = try Self.withSource(created, database: db)
        do {
            try node.installCapture("xzcf")
            Issue.record("a table without a key was installed")
        } catch {
            #expect("\(error)".contains("it has no primary key") && "\(error)".contains("key = \"COLUMN\""), "\(error)")
        }
        // A key named: the mapping's columns are checked when the source opens.
        let text = try String(contentsOf: node.configuration.file, encoding: .utf8)
        try text.replacingOccurrences(of: "table = \"t_xzcf\"", with: "table = \"t_xzcf\"\nkey = \"CF_WSH\"").write(to: node.configuration.file, atomically: true, encoding: .utf8)
        node = try Node.open(configurationPath: node.configuration.file.path, schemas: NodeFixtures.schemas)
        try node.installCapture("xzcf")
        let run = try node.captureOnce()
        #expect(run[0].error?.contains("lacks columns the mapping reads") == true && run[0].error?.contains("CF_JDRQ (") == true, "\(run)")
        // A composite key, and a table that is not there.
        #expect(throws: NodeError.self) { try node.captureTable(.init(name: "x", database: db, table: "t_two", key: nil, mapping: "", mode: "trigger")) }
        do {
            _ = try node.captureTable(.init(name: "x", database: db, table: "t_xzfc", key: nil, mapping: "", mode: "trigger"))
        } catch {
            #expect("\(error)".contains("its primary key has 2 columns") || "\(error)".contains("did you mean t_xzcf?"), "\(error)")
        }
    }

    @Test func theTriggersAreRemovedCleanlyAndSkipTheSinksOwnWrites() throws {
        let (created, dir) = try NodeFixtures.create("node-u")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db)
        let node = try Self.withSource(created, database: db)
        try node.installCapture("xzcf")
        #expect(try node.installCapture("xzcf") == true)
        let queue = try DatabaseQueue(path: db)
        // A write made while _hutong_applying holds a row (the sink's, in its transaction) is not noted.
        try queue.write { db in
            try db.execute(sql: "INSERT INTO _hutong_applying VALUES (1)")
            try db.execute(sql: "UPDATE t_xzcf SET CF_NR_FK = 9 WHERE ID = 1001")
            try db.execute(sql: "DELETE FROM _hutong_applying")
            try db.execute(sql: "UPDATE t_xzcf SET CF_NR_FK = 8 WHERE ID = 1001")
        }
        #expect(try Self.outbox(db) == 1)
        try node.uninstallCapture("xzcf")
        let left = try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE '%hutong%'") }
        #expect(left.isEmpty, "\(left)")
        #expect(try node.store.sourceState("xzcf")?.position == nil)
        // The agency's own writes go on as before.
        try queue.write { db in try db.execute(sql: "DELETE FROM t_xzcf WHERE ID = 1001") }
    }

    /// `hutong capture bench`: measured on a scratch copy, the table, the
    /// outbox's waiting notes and the schema left as they were.
    @Test func theTriggerBenchLeavesTheDatabaseAsItWas() throws {
        let (created, dir) = try NodeFixtures.create("node-bench")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db)
        let node = try Self.withSource(created, database: db)
        try node.installCapture("xzcf")
        try DatabaseQueue(path: db).write { db in try db.execute(sql: "UPDATE t_xzcf SET CF_NR_FK = 9 WHERE ID = 1001") }
        let schema = { try DatabaseQueue(path: db).read { db in try String.fetchAll(db, sql: "SELECT type || ' ' || name FROM sqlite_master ORDER BY 1") } }
        let before = try schema()
        let rows = { try DatabaseQueue(path: db).read { db in try String.fetchAll(db, sql: "SELECT ID || ':' || ifnull(CF_NR_FK, '') || CF_WSH FROM t_xzcf ORDER BY ID") } }
        let table = try rows()
        let cost = try node.benchCapture("xzcf", bulkRows: 300, singleRows: 20)
        #expect(cost.bulkBare > 0 && cost.bulkTriggered > 0 && cost.batchBare > 0 && cost.batchTriggered > 0
                && cost.eachBare > 0 && cost.eachTriggered > 0, "\(cost)")
        #expect(try schema() == before)
        #expect(try rows() == table)
        #expect(try Self.outbox(db) == 1, "the note waiting for the real table was lost")
        // Without capture installed: the outbox the bench needed is gone again.
        try node.uninstallCapture("xzcf")
        _ = try node.benchCapture("xzcf", bulkRows: 10, singleRows: 2)
        #expect(try DatabaseQueue(path: db).read { db in try db.tableExists("_hutong_outbox") || db.tableExists("_hutong_bench") } == false)

        // A batch of more rows than the table has: every row under a key of its own, with a row's values.
        let scratch = try SQLiteBenchScratch(try #require(try node.captureTable(node.source(named: "xzcf")) as? SQLiteCaptureTable))
        let count = table.count * 2 + 3
        try scratch.insertBatch(count, round: 2)
        let copied = try DatabaseQueue(path: db).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM _hutong_bench AS b JOIN t_xzcf AS t USING (CF_WSH) WHERE b.ID > (SELECT max(ID) FROM t_xzcf)")
        }
        #expect(copied == count)
        try scratch.drop()
        // Keys far apart: copies still count on from the highest, in every way of inserting.
        try DatabaseQueue(path: db).write { db in try db.execute(sql: "UPDATE t_xzcf SET ID = 9000000000000000000 WHERE ID = 1001") }
        let wide = try node.benchCapture("xzcf", bulkRows: 30, singleRows: 3)
        #expect(wide.bulkTriggered > 0 && wide.batchTriggered > 0 && wide.eachTriggered > 0, "\(wide)")
    }
}
