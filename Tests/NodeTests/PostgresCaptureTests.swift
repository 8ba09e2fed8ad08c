@testable import Capture
import Foundation
import GRDB
import HutongTesting
import JSON
import Normalise
import Postgres
import Standard
import Store
import Testing
@testable import Node
@testable import Sink

/// Capture from a real PostgreSQL 15 server in trigger mode: the same
/// snapshot and changes as on SQLite, exact numerics, and concurrent agency
/// transactions (some rolled back, committing out of order) that never lose
/// a change. One test at a time: a transaction left open anywhere on the
/// server holds back capture in every database of it (the fence is the
/// server's oldest running transaction), and one test keeps one open.
@Suite(.serialized, .enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.missing)))
struct PostgresCaptureTests {
    /// An agency database on the tests' server with the example's rows (or `rows`) in table t_xzcf.
    static func agency(rows: (header: [String], rows: [[String: String]])? = nil) throws -> PostgresTarget {
        let target = try PostgresServer.shared.get().database()
        let session = try PostgresSession(target)
        let (header, rows) = try rows ?? AgencyTable.rows()
        // Fines in a numeric column of 万元; confiscations as text, with their units ("0.5万元").
        let columns = header.map { c in c == "ID" ? "\"ID\" bigint PRIMARY KEY" : c == "CF_NR_FK" ? "\"\(c)\" numeric(18, 6)" : "\"\(c)\" text" }
        try session.execute("CREATE TABLE t_xzcf (\(columns.joined(separator: ", ")))")
        for row in rows { try insert(row, header: header, session) }
        return target
    }

    static func insert(_ row: [String: String], header: [String], _ session: PostgresSession) throws {
        let names = header.map { "\"\($0)\"" }.joined(separator: ", ")
        let values = header.map { c -> String in
            let v = row[c] ?? ""
            if v.isEmpty { return "NULL" }
            if c == "CF_NR_FK", v.hasSuffix("元") {
                // "2,000元" in a column of 万元: 0.2.
                let yuan = Decimal(string: v.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "元", with: ""))!
                return "\(yuan / 10_000)"
            }
            return c == "ID" || c == "CF_NR_FK" ? v : PostgresTarget.literal(v)
        }.joined(separator: ", ")
        try session.execute("INSERT INTO t_xzcf (\(names)) VALUES (\(values))")
    }

    static func withSource(_ node: Node, _ target: PostgresTarget, extra: String = "") throws -> Node {
        try SQLiteCaptureTests.withSource(node, database: "postgres://postgres@127.0.0.1:\(target.port)/\(target.database)", extra: extra)
    }

    static func outbox(_ session: PostgresSession) throws -> Int64 { try session.integer("SELECT count(*) FROM hutong.outbox") ?? -1 }

    @Test func theSnapshotThenTheClerksChanges() throws {
        let target = try Self.agency()
        let (created, _) = try NodeFixtures.create("node-pg")
        let node = try Self.withSource(created, target)
        let before = try node.captureOnce()
        #expect(before[0].error?.contains("hutong capture install xzcf") == true, "\(before)")
        #expect(try node.installCapture("xzcf") == false)

        let run = try node.captureOnce()
        let first = try #require(run.first?.report, "\(run.first?.error ?? "")")
        #expect(first.counts["written"] == 5 && first.quarantined == 3, "\(first)")
        let stored = try node.store.records(type: "penalty", after: nil, limit: 100)
        // numeric 0.0123 (万元) read as its digits: 12300 分 exactly.
        #expect(stored.contains { $0.body["fine_fen"] == 12_300 }, "\(stored.map { $0.body["fine_fen"] })")
        let q = try node.store.quarantine(limit: 10).map(\.reason)
        #expect(q.contains { $0.contains("#public.t_xzcf:ID 1006") && $0.contains("unknown-code") }, "\(q)")

        let session = try PostgresSession(target)
        let (header, rows) = try AgencyTable.rows()
        try session.execute("UPDATE t_xzcf SET \"CF_NR_FK\" = 2.5 WHERE \"ID\" = 1001")
        var added = rows[1]
        added["ID"] = "2001"
        added["CF_WSH"] = "苏市监罚〔2023〕777号"
        try Self.insert(added, header: header, session)
        try session.execute("DELETE FROM t_xzcf WHERE \"ID\" = 1002")
        try session.execute("UPDATE t_xzcf SET \"ID\" = \"ID\" WHERE \"ID\" = 1003")
        // A key changed: the old key's row is gone, the new one holds the same decision (no new version).
        try session.execute("UPDATE t_xzcf SET \"ID\" = 3004 WHERE \"ID\" = 1004")
        let second = try #require(try node.captureOnce().first?.report)
        #expect(second.counts["written"] == 2 && second.counts["deleted"] == 1 && second.counts["unchanged"] == 2, "\(second)")
        #expect(try Self.outbox(session) == 0)
        #expect(try node.store.sourceState("xzcf")?.rows == 5)
        let after = try node.store.records(type: "penalty", after: nil, limit: 100)
        #expect(after.contains { $0.body["decision_number"] == "苏市监罚〔2023〕12号" && $0.body["fine_fen"] == 2_500_000 })
        #expect(after.filter(\.deleted).count == 1)

        // Uninstalled, nothing of Hutong is left in the agency's database.
        try node.uninstallCapture("xzcf")
        #expect(try session.integer("SELECT count(*) FROM pg_namespace WHERE nspname = 'hutong'") == 0)
        #expect(try session.integer("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'hutong%'") == 0)
    }

    /// Pages by key in the key's own order: integer keys 1 to 2,500, whose
    /// order as text ("1000" before "999") would skip most of them.
    @Test func aLongSnapshotGoesInPagesInKeyOrder() throws {
        let (header, rows) = try AgencyTable.rows(copies: 500)
        let renumbered = rows.enumerated().map { n, row in row.merging(["ID": String(n + 1)]) { $1 } }
        let target = try Self.agency(rows: (header, renumbered))
        let (created, _) = try NodeFixtures.create("node-pages")
        let node = try Self.withSource(created, target)
        try node.installCapture("xzcf")
        let report = try #require(try node.captureOnce(transactionSize: 300).first?.report)
        #expect(report.counts["written"] == 2_500, "\(report)")
        #expect(try node.store.sourceState("xzcf")?.rows == 2_500)
    }

    @Test func aTransactionStillOpenHoldsBackTheNotesAfterIt() throws {
        let (header, rows) = try AgencyTable.rows(copies: 2)
        let target = try Self.agency(rows: (header, []))
        let (created, _) = try NodeFixtures.create("node-fence")
        let node = try Self.withSource(created, target)
        try node.installCapture("xzcf")
        _ = try node.captureOnce()
        let early = try PostgresSession(target), late = try PostgresSession(target)
        // The earlier transaction writes first but commits last.
        try early.execute("BEGIN")
        try Self.insert(rows[0], header: header, early)
        try Self.insert(rows[1], header: header, late)
        let waiting = try #require(try node.captureOnce().first?.report)
        // The later transaction's note is not taken while the earlier one is open:
        // a reader that took it would have to remember, forever, the gap before it.
        #expect(waiting.counts.isEmpty, "\(waiting)")
        // The earlier transaction's note is not even visible yet.
        #expect(try late.integer("SELECT count(*) FROM hutong.outbox") == 1)
        try early.execute("COMMIT")
        let both = try #require(try node.captureOnce().first?.report)
        #expect(both.counts["written"] == 2, "\(both)")
        #expect(try Self.outbox(late) == 0)
    }

    @Test func concurrentWritersWithRollbacksLoseNothing() throws {
        let pool = try AgencyTable.rows(copies: 40)
        let target = try Self.agency(rows: (pool.header, []))
        let (created, _) = try NodeFixtures.create("node-race")
        let node = try Self.withSource(created, target)
        try node.installCapture("xzcf")
        let writers = 4, perWriter = pool.rows.count / writers
        let done = Mutex(0)
        // Capture runs over and over while the agency's writers work.
        let capturing = Thread {
            while done.withLock({ $0 }) < writers { _ = try? node.captureOnce(transactionSize: 50) }
        }
        capturing.start()
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            do {
                let session = try PostgresSession(target)
                var rng = SystemRandomNumberGenerator()
                for i in 0..<perWriter {
                    let row = pool.rows[w * perWriter + i]
                    try session.execute("BEGIN")
                    try Self.insert(row, header: pool.header, session)
                    // A correction to an earlier row of this writer, and now and then a withdrawal.
                    if i > 0 {
                        let other = pool.rows[w * perWriter + Int.random(in: 0..<i, using: &rng)]["ID"]!
                        try session.execute("UPDATE t_xzcf SET \"CF_WFXW\" = 'v\(i)' WHERE \"ID\" = \(other)")
                        if Int.random(in: 0..<10, using: &rng) == 0 { try session.execute("DELETE FROM t_xzcf WHERE \"ID\" = \(other)") }
                    }
                    if Int.random(in: 0..<4, using: &rng) == 0 { try session.execute("SELECT pg_sleep(0.00\(Int.random(in: 1...9, using: &rng)))") }
                    try session.execute(Int.random(in: 0..<5, using: &rng) == 0 ? "ROLLBACK" : "COMMIT")
                }
            } catch {
                Issue.record("writer \(w): \(error)")
            }
            done.withLock { $0 += 1 }
        }
        while capturing.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
        _ = try node.captureOnce()

        // The store holds exactly the table: each row's record as the row is now, no other live record.
        let session = try PostgresSession(target)
        let table = try session.rows("SELECT \"ID\"::text, \"CF_WFXW\" FROM t_xzcf")
        let links = try DatabaseQueue(path: node.configuration.storePath).read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, record_id FROM source_rows WHERE source = 'xzcf'").map { ($0[0] as String, $0[1] as String) })
        }
        #expect(links.count == table.count)
        let live = try node.store.records(type: "penalty", after: nil, limit: 100_000).filter { !$0.deleted }
        #expect(live.count == table.count)
        var mismatched = 0
        for row in table {
            guard let id = links[row[0]!], let record = try node.store.record(id: id), !record.deleted,
                  record.body["violation_type"]?.stringValue == row[1] else { mismatched += 1; continue }
        }
        #expect(mismatched == 0, "\(mismatched) of \(table.count) rows differ from their records")
        #expect(try Self.outbox(session) == 0)
    }

    /// Following with a poll too rare to matter: only NOTIFY can bring the
    /// rows in, also after the listening connection was cut.
    @Test func aFollowingCaptureIsWokenByNotifyAndListensAgainAfterALostConnection() throws {
        let (header, rows) = try AgencyTable.rows(copies: 2)
        let target = try Self.agency(rows: (header, []))
        let (created, _) = try NodeFixtures.create("node-follow")
        let node = try Self.withSource(created, target)
        try node.installCapture("xzcf")
        let stop = Mutex(false)
        let follower = Thread { node.follow(pollSeconds: 3_600, stop: { stop.withLock { $0 } }) { _ in } }
        follower.start()
        defer { stop.withLock { $0 = true } }
        let session = try PostgresSession(target)
        func arrived(_ n: Int) throws -> Bool {
            for _ in 0..<500 {
                if try node.store.info().lastSequence == n { return true }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return false
        }
        Thread.sleep(forTimeInterval: 0.3)
        try Self.insert(rows[0], header: header, session)
        #expect(try arrived(1), "a row inserted was not taken: NOTIFY did not wake the capture")
        // The listening connection is cut (a server restart, a firewall): it listens again, and reads the outbox then.
        let cut = try session.rows("SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE query = 'LISTEN \"hutong\"' AND datname = current_database()")
        #expect(cut.count == 1 && cut[0][0] == "true", "\(cut)")
        Thread.sleep(forTimeInterval: 0.3)
        try Self.insert(rows[1], header: header, session)
        try Self.insert(rows[2], header: header, session)
        #expect(try arrived(3), "rows inserted after the listener was cut were not taken")
    }

    /// mode = "scan" with a role that may only read the table: nothing is
    /// installed, rows are found by hash, a deleted row by the full scan.
    @Test func aScanNeedsOnlyTheRightToRead() throws {
        let target = try Self.agency()
        let session = try PostgresSession(target)
        let role = "reader_\(target.database.suffix(8))"
        try session.execute("CREATE ROLE \(role) LOGIN")
        try session.execute("GRANT SELECT ON t_xzcf TO \(role)")
        let (created, _) = try NodeFixtures.create("node-pgscan")
        let node = try SQLiteCaptureTests.withSource(created, database: "postgres://\(role)@127.0.0.1:\(target.port)/\(target.database)",
                                                     extra: "mode = \"scan\"\nwatermark = \"GXSJ\"")
        let first = try #require(try node.captureOnce().first?.report)
        #expect(first.counts["written"] == 5 && first.quarantined == 3, "\(first)")
        #expect(try session.integer("SELECT count(*) FROM pg_namespace WHERE nspname = 'hutong'") == 0)

        try session.execute("UPDATE t_xzcf SET \"CF_NR_FK\" = 2.5, \"GXSJ\" = '2030-01-01 00:00:00' WHERE \"ID\" = 1001")
        let incremental = try #require(try node.captureOnce().first?.report)
        #expect(incremental.counts["written"] == 1 && incremental.quarantined == 0, "\(incremental)")
        let stored = try node.store.records(type: "penalty", after: nil, limit: 100)
        #expect(stored.contains { $0.body["fine_fen"] == 2_500_000 })
        #expect(try node.store.sourceState("xzcf")?.position?.hasSuffix("2030-01-01 00:00:00") == true)
        // The node's session cannot write, even by mistake.
        let sourceTable = try node.sourceTable(node.source(named: "xzcf"))
        #expect(throws: (any Error).self) { try (sourceTable as! PostgresCaptureTable).install() }
    }

    /// The sink on PostgreSQL: schema hutong_in, typed and commented columns,
    /// written with `SET LOCAL hutong.applying`, so capture triggers put on
    /// its table note nothing; a replay after a kill changes nothing.
    @Test func theSinkWritesIntoItsOwnSchemaAndIsNeverCapturedBack() throws {
        let target = try Self.agency()
        let url = "postgres://postgres@127.0.0.1:\(target.port)/\(target.database)"
        let (created, _) = try NodeFixtures.create("node-pgsink")
        let node = try SinkTests.withSink(try Self.withSource(created, target), database: url)
        try node.installCapture("xzcf")
        #expect(try node.installSink("agency-in") == false)
        #expect(try node.installSink("agency-in") == true)
        // As a careless DBA might: capture triggers on the sink's table.
        try PostgresCaptureTable(target: target, table: "hutong_in.penalty", key: "id", source: "test").install()
        _ = try node.captureOnce()
        let first = node.drainSinks()
        #expect(first[0].report?.written == 5, "\(first)")
        let session = try PostgresSession(target)
        let row = try #require(try session.rows("""
            SELECT party_name, fine_fen::text, deleted::text, body->>'decision_number', col_description('hutong_in.penalty'::regclass, 
                (SELECT attnum FROM pg_attribute WHERE attrelid = 'hutong_in.penalty'::regclass AND attname = 'fine_fen')::int)
            FROM hutong_in.penalty WHERE body->>'decision_number' = '苏市监罚〔2023〕12号'
            """).first)
        #expect(row[0] == "苏州市姑苏区 恒达电器有限公司" && row[1] == "1500000" && row[2] == "false", "\(row)")
        #expect(row[4]?.isEmpty == false, "the column has no comment: \(row)")
        #expect(try session.integer("SELECT count(*) FROM hutong.outbox WHERE tbl <> 'public.t_xzcf'") == 0, "the sink's writes were noted")

        // Killed between the agency's commit and the cursor's save: the replay changes nothing.
        let id = try #require(try session.rows("SELECT id FROM hutong_in.penalty ORDER BY id LIMIT 1").first?[0] ?? nil)
        _ = try node.store.delete(id: id, reason: "信用修复")
        var report = Sink.Report()
        _ = try node.sink(#require(node.sinkSettings(named: "agency-in"))).writeNext(&report)
        #expect(report.written == 1 && report.deleted == 1, "\(report)")
        let replay = node.drainSinks()
        #expect(replay[0].report?.written == 0, "\(replay)")
        let gone = try #require(try session.rows("SELECT deleted::text, body IS NOT NULL, party_name IS NOT NULL FROM hutong_in.penalty WHERE id = $1", [.text(id)]).first)
        #expect(gone == ["true", "true", "true"], "\(gone)")
        #expect(try session.integer("SELECT count(*) FROM hutong.outbox WHERE tbl <> 'public.t_xzcf'") == 0)
        try node.uninstallSink("agency-in")
        #expect(try session.integer("SELECT count(*) FROM pg_class WHERE oid = to_regclass('hutong_in.penalty')") == 0)
    }

    /// A record whose text holds U+0000 (JSON can carry it, a peer's record or
    /// a row captured from SQLite; PostgreSQL's jsonb and text cannot) reaches
    /// the agency's table with U+FFFD in its place, and the sink goes on past
    /// it. A backslash written before "u0000" stays as it is.
    @Test func aCharacterPostgreSQLCannotHoldDoesNotStopTheSink() throws {
        let target = try Self.agency()
        let (created, _) = try NodeFixtures.create("node-pgnul")
        let node = try SinkTests.withSink(created, database: "postgres://postgres@127.0.0.1:\(target.port)/\(target.database)")
        #expect(try node.installSink("agency-in") == false)
        var samples = try SampleGenerator(type: "penalty", seed: 7)
        let text = JSONWriter.string(samples.next().record)
            .replacingOccurrences(of: "\"violation_facts\":\"", with: "\"violation_facts\":\"a\\u0000b \\\\u0000 ")
        let withNUL = try #require(try node.store.write(type: "penalty", body: JSONParser.parse(text)))
        #expect(withNUL.body["violation_facts"]?.stringValue?.hasPrefix("a\u{0}b \\u0000 ") == true)
        let plain = try #require(try node.store.write(type: "penalty", body: samples.next().record))
        let run = node.drainSinks()
        #expect(run[0].error == nil && run[0].report?.written == 2, "\(run)")
        let session = try PostgresSession(target)
        let row = try #require(try session.rows("SELECT violation_facts, body->>'violation_facts' FROM hutong_in.penalty WHERE id = $1", [.text(withNUL.id)]).first)
        #expect(row[0]?.hasPrefix("a\u{FFFD}b \\u0000 ") == true && row[0] == row[1], "\(row)")
        #expect(try session.integer("SELECT count(*) FROM hutong_in.penalty WHERE id = $1", [.text(plain.id)]) == 1)
        // The node store keeps the record as it came.
        #expect(try node.store.record(id: withNUL.id)?.body["violation_facts"]?.stringValue?.hasPrefix("a\u{0}b") == true)
    }

    /// After draining a bulk change the node vacuums the outbox: the deleted
    /// notes would otherwise stay in its index, and every later read (in
    /// sequence order, from the start) would step over them.
    @Test func aDrainedBulkChangeLeavesNoDeadNotesBehind() throws {
        let target = try Self.agency()
        let (created, _) = try NodeFixtures.create("node-tidy")
        let node = try Self.withSource(created, target)
        try node.installCapture("xzcf")
        _ = try node.captureOnce()
        let session = try PostgresSession(target)
        func vacuums() throws -> Int64 {
            try session.integer("SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = 'hutong.outbox'::regclass") ?? -1
        }
        let before = try vacuums()
        // A few notes: not worth a vacuum.
        try session.execute("UPDATE t_xzcf SET \"CF_WFXW\" = \"CF_WFXW\" || '（更正）'")
        _ = try node.captureOnce()
        #expect(try vacuums() == before)
        // The same rows changed again and again in one statement each: as many notes as a bulk load.
        for _ in 0..<1_300 { try session.execute("UPDATE t_xzcf SET \"CF_SJLY\" = \"CF_SJLY\"") }
        #expect(try Self.outbox(session) >= Int64(TriggerSource.tidyAfter))
        let report = try #require(try node.captureOnce().first?.report)
        #expect(report.quarantined + (report.counts["unchanged"] ?? 0) > 0, "\(report)")
        #expect(try Self.outbox(session) == 0)
        #expect(try vacuums() == before + 1, "the outbox was not vacuumed after the drain")
    }

    @Test func theTriggerBenchLeavesTheDatabaseAsItWas() throws {
        let target = try Self.agency()
        let (created, _) = try NodeFixtures.create("node-pgbench")
        let node = try Self.withSource(created, target)
        let session = try PostgresSession(target)
        let cost = try node.benchCapture("xzcf", bulkRows: 300, singleRows: 20)
        #expect(cost.bulkBare > 0 && cost.bulkTriggered > 0 && cost.batchTriggered > 0 && cost.eachTriggered > 0, "\(cost)")
        #expect(try session.integer("SELECT count(*) FROM pg_namespace WHERE nspname = 'hutong'") == 0)
        // A batch of more rows than the table has: every row under a key of its own, its values cast back.
        let scratch = try PostgresBenchScratch(try #require(try node.captureTable(node.source(named: "xzcf")) as? PostgresCaptureTable))
        try scratch.insertBatch(19, round: 2)
        #expect(try session.integer("SELECT count(DISTINCT \"ID\") FROM hutong.bench") == 19)
        #expect(try session.integer("SELECT count(*) FROM hutong.bench AS b JOIN t_xzcf AS t USING (\"CF_WSH\")") == 19)
        try scratch.drop()
        #expect(try session.integer("SELECT count(*) FROM t_xzcf") == 8)
        // Installed: the schema stays, with the real table's notes.
        try node.installCapture("xzcf")
        try session.execute("UPDATE t_xzcf SET \"CF_WFXW\" = 'x' WHERE \"ID\" = 1001")
        _ = try node.benchCapture("xzcf", bulkRows: 50, singleRows: 5)
        #expect(try Self.outbox(session) == 1)
        #expect(try session.integer("SELECT count(*) FROM pg_class WHERE oid = to_regclass('hutong.bench')") == 0)
        #expect(try node.source(named: "xzcf").mode == "trigger")

        // Keys far apart: copies count on from the highest key, whatever the span.
        try session.execute("UPDATE t_xzcf SET \"ID\" = 5000000 WHERE \"ID\" = 1001")
        let wide = try node.benchCapture("xzcf", bulkRows: 30, singleRows: 3)
        #expect(wide.bulkTriggered > 0 && wide.batchTriggered > 0 && wide.eachTriggered > 0, "\(wide)")
    }
}
