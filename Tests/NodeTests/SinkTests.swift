import Capture
import Foundation
import GRDB
import HutongTesting
import Postgres
import Standard
import Store
import Testing
@testable import Node
@testable import Sink

/// The sink: the node's records written into tables of its own in the
/// agency's database, never captured back.
@Suite struct SinkTests {
    /// `node` with a `[[sinks]]` entry for `database`, opened again.
    static func withSink(_ node: Node, database: String, types: String = "[\"penalty\"]") throws -> Node {
        let handle = try FileHandle(forWritingTo: node.configuration.file)
        handle.seekToEndOfFile()
        handle.write(Data("\n[[sinks]]\nname = \"agency-in\"\ndatabase = \"\(database)\"\ntypes = \(types)\n".utf8))
        try handle.close()
        return try Node.open(configurationPath: node.configuration.file.path, schemas: NodeFixtures.schemas)
    }

    /// id → (hash, deleted) of a SQLite sink table.
    static func sunk(_ path: String) throws -> [String: String] {
        try DatabaseQueue(path: path).read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, hash, deleted FROM hutong_in_penalty").map {
                ($0["id"] as String, "\($0["hash"] as String) \($0["deleted"] as Int)")
            })
        }
    }

    /// id → (hash, deleted) of the store's current penalty records.
    static func stored(_ node: Node) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try node.store.records(type: "penalty", after: nil, limit: 100_000).map { ($0.id, "\($0.hash) \($0.deleted ? 1 : 0)") })
    }

    @Test func recordsAreWrittenWithTypedColumnsAndATombstoneKeepsItsLastBody() throws {
        let (created, dir) = try NodeFixtures.create("node-k")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db)
        var node = try SQLiteCaptureTests.withSource(created, database: db)
        node = try Self.withSink(node, database: db)
        try node.installCapture("xzcf")
        _ = try node.captureOnce()

        // Not installed: the sink says how.
        let missing = node.drainSinks()
        #expect(missing[0].error?.contains("hutong capture install agency-in") == true, "\(missing)")
        let sink = try node.sinkTarget(#require(node.sinkSettings(named: "agency-in")))
        #expect(sink.installSQL.contains("CREATE TABLE IF NOT EXISTS \"hutong_in_penalty\""))
        #expect(try node.installSink("agency-in") == false)

        let first = node.drainSinks()
        #expect(first[0].report?.written == 5, "\(first)")
        #expect(try Self.sunk(db) == Self.stored(node))
        let row = try DatabaseQueue(path: db).read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM hutong_in_penalty WHERE decision_number = '苏市监罚〔2023〕12号'")
        }
        #expect(row?["party_name"] == "苏州市姑苏区 恒达电器有限公司")
        #expect(row?["fine_fen"] == 1_500_000)
        #expect(row?["owner"] == "node-k" && row?["deleted"] == 0)
        // Nothing new: nothing written.
        #expect(node.drainSinks()[0].report?.written == 0)

        // A withdrawn record: marked deleted, its last body and fields kept.
        let id: String = try #require(row?["id"])
        _ = try node.store.delete(id: id, reason: "信用修复")
        let second = node.drainSinks()
        #expect(second[0].report == Sink.Report(written: 1, deleted: 1, read: 1), "\(second)")
        let gone = try DatabaseQueue(path: db).read { db in try Row.fetchOne(db, sql: "SELECT * FROM hutong_in_penalty WHERE id = ?", arguments: [id]) }
        #expect(gone?["deleted"] == 1 && gone?["fine_fen"] == 1_500_000 && (gone?["body"] as String?)?.contains("苏市监罚") == true)
        #expect(try Self.sunk(db) == Self.stored(node))
        // The agency's own table was not touched, and nothing the sink wrote was noted.
        #expect(try SQLiteCaptureTests.outbox(db) == 0)
    }

    @Test func aSourceOnASinksTableIsRefused() throws {
        let (created, dir) = try NodeFixtures.create("node-r")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db)
        let node = try SQLiteCaptureTests.withSource(created, database: db, table: "hutong_in_penalty")
        do {
            _ = try Self.withSink(node, database: db)
            Issue.record("a source on the sink's own table was accepted")
        } catch {
            #expect("\(error)".contains("would come back"), "\(error)")
        }
    }

    /// Two nodes, each with a real agency database holding the clerks' table
    /// (captured by triggers) and the sink's tables; random clerk edits at
    /// both, exchanges both ways, sinks killed between their write and their
    /// cursor's save. The sink's writes are never noted (capture triggers
    /// are even put on its table, as a careless DBA might), a capture after
    /// a sink with no clerk edit in between makes no version, and in the end
    /// both agencies' sink tables hold the same records as both stores.
    @Test(arguments: [1, 2, 3]) func noEchoAndConvergenceUnderRandomEditsAndSinkCrashes(seed: UInt64) throws {
        var rng = SplitMix64(state: seed)
        let (header, rows) = try AgencyTable.rows()
        let valid = rows.filter { !["1006", "1007", "1008"].contains($0["ID"]!) }
        var nodes: [Node] = []
        var dbs: [String] = []
        for (n, name) in ["node-a", "node-b"].enumerated() {
            let (created, dir) = try NodeFixtures.create(name)
            let db = dir + "/agency.sqlite"
            // Each agency its own decisions: the same rows, other numbers.
            let own = valid.map { row -> [String: String] in
                var r = row
                r["CF_WSH"] = r["CF_WSH"]!.replacingOccurrences(of: "号", with: "-\(name)号")
                return r
            }
            try AgencyTable.create(db, rows: (header, own))
            var node = try SQLiteCaptureTests.withSource(created, database: db)
            node = try Self.withSink(node, database: db)
            try node.installCapture("xzcf")
            try node.installSink("agency-in")
            // As a careless DBA might: capture triggers on the sink's own table too.
            try SQLiteCaptureTable(path: db, table: "hutong_in_penalty", key: "id", source: "test").install()
            _ = try node.captureOnce()
            nodes.append(node)
            dbs.append(db)
            #expect(n == nodes.count - 1)
        }
        var sent: [[Int64]] = [[0, 0], [0, 0]]
        var edited = [false, false]
        var nextID = 5_000
        let exchange = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString).ndjson").path

        func sinkNotes(_ x: Int) throws -> Int {
            try DatabaseQueue(path: dbs[x]).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM _hutong_outbox WHERE tbl <> 't_xzcf'") ?? -1 }
        }
        func send(_ x: Int, _ y: Int) throws {
            FileManager.default.createFile(atPath: exchange, contents: nil)
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: exchange))
            let report = try nodes[x].export(to: out, since: sent[x][y], forPeer: nodes[y].configuration.nodeID)
            try out.close()
            let imported = try nodes[y].importFile(exchange)
            #expect(imported.quarantined == 0, "\(imported.quarantineReasons)")
            sent[x][y] = report.reached
        }
        func clerk(_ x: Int) throws {
            try DatabaseQueue(path: dbs[x]).write { db in
                let ids = try Int64.fetchAll(db, sql: "SELECT ID FROM t_xzcf ORDER BY ID")
                switch Int.random(in: 0..<4, using: &rng) {
                case 0 where !ids.isEmpty:
                    try db.execute(sql: "DELETE FROM t_xzcf WHERE ID = ?", arguments: [ids.randomElement(using: &rng)!])
                case 1:
                    var r = valid.randomElement(using: &rng)!
                    nextID += 1
                    r["ID"] = String(nextID)
                    r["CF_WSH"] = "苏市监罚〔2023〕\(nextID)-\(nodes[x].configuration.nodeID)号"
                    try AgencyTable.insert(r, header: header, into: "t_xzcf", db)
                default:
                    guard let id = ids.randomElement(using: &rng) else { return }
                    try db.execute(sql: "UPDATE t_xzcf SET CF_NR_FK = ? WHERE ID = ?", arguments: [Double(Int.random(in: 1...900, using: &rng)) / 10, id])
                }
            }
            edited[x] = true
        }

        for _ in 0..<40 {
            let x = Int.random(in: 0...1, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: try clerk(x)
            case 1:
                _ = try nodes[x].captureOnce()
                edited[x] = false
            case 2: try send(x, 1 - x)
            case 3:
                // Killed between the agency's commit and the cursor's save.
                let settings = try #require(nodes[x].sinkSettings(named: "agency-in"))
                var report = Sink.Report()
                _ = try nodes[x].sink(settings).writeNext(&report)
            default:
                let runs = nodes[x].drainSinks()
                #expect(runs[0].error == nil, "\(runs)")
                #expect(try sinkNotes(x) == 0, "the sink's writes were noted in the outbox")
                if !edited[x] {
                    let before = try nodes[x].store.info().lastSequence
                    _ = try nodes[x].captureOnce()
                    #expect(try nodes[x].store.info().lastSequence == before, "a capture after the sink made a version")
                }
            }
        }
        // Quiet: every change taken, sent both ways, written.
        for _ in 0..<2 {
            for x in 0...1 { _ = try nodes[x].captureOnce() }
            try send(0, 1)
            try send(1, 0)
        }
        for x in 0...1 { #expect(nodes[x].drainSinks()[0].error == nil) }
        let (s0, s1) = (try Self.stored(nodes[0]), try Self.stored(nodes[1]))
        #expect(s0 == s1, "\(s0.filter { s1[$0.key] != $0.value }) vs \(s1.filter { s0[$0.key] != $0.value })")
        #expect(try Self.sunk(dbs[0]) == Self.stored(nodes[0]))
        #expect(try Self.sunk(dbs[1]) == Self.stored(nodes[1]))
        for x in 0...1 { #expect(try sinkNotes(x) == 0) }
        // Every clerk's row is a live record at both nodes.
        let live = try Self.stored(nodes[0]).values.filter { $0.hasSuffix(" 0") }.count
        let clerkRows = try dbs.map { try DatabaseQueue(path: $0).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t_xzcf") ?? 0 } }.reduce(0, +)
        #expect(live == clerkRows)
    }
}
