import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import HutongTesting
import Postgres
import Testing

/// The capture contract, on real SQLite and a real PostgreSQL 15 server:
/// concurrent writer transactions of random length (a fifth rolled back)
/// insert, correct and withdraw rows while `hutong capture --follow` takes
/// them, starting with a snapshot of the rows already there, and is killed
/// (SIGKILL) at random moments and started again: mid-snapshot, mid-outbox,
/// between the store's commit and the outbox's clean-up. At the end the node
/// store equals the table, no note is left, and no version was made that no
/// committed change asked for.
@Suite struct CaptureContractTests {
    /// An agency database the writers and the checks reach alike.
    protocol Agency: Sendable {
        func execute(_ sql: String) throws
        func rows(_ sql: String) throws -> [[String?]]
        func connect() throws -> any Agency
    }

    struct SQLiteAgency: Agency, @unchecked Sendable {
        let path: String
        let queue: DatabaseQueue
        init(path: String) throws {
            self.path = path
            var config = Configuration()
            config.busyMode = .timeout(30)
            // The writers open and close their transactions by hand, across calls.
            config.allowsUnsafeTransactions = true
            queue = try DatabaseQueue(path: path, configuration: config)
        }
        func execute(_ sql: String) throws { try queue.inDatabase { try $0.execute(sql: sql) } }
        func rows(_ sql: String) throws -> [[String?]] {
            try queue.inDatabase { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    (0..<row.count).map { i -> String? in
                        switch (row[i] as DatabaseValue).storage {
                        case .null: nil
                        case .int64(let n): String(n)
                        case .double(let d): String(d)
                        case .string(let s): s
                        case .blob(let b): b.map { String(format: "%02x", $0) }.joined()
                        }
                    }
                }
            }
        }
        func connect() throws -> any Agency { try SQLiteAgency(path: path) }
    }

    struct PostgresAgency: Agency, @unchecked Sendable {
        let target: PostgresTarget
        let session: PostgresSession
        init(_ target: PostgresTarget) throws {
            self.target = target
            session = try PostgresSession(target)
        }
        func execute(_ sql: String) throws { try session.execute(sql) }
        func rows(_ sql: String) throws -> [[String?]] { try session.rows(sql) }
        func connect() throws -> any Agency { try PostgresAgency(target) }
    }

    static let columns = ["ID", "CF_WSH", "CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_FRDB", "CF_FR_ZJLX", "CF_FR_ZJHM", "CF_XDR_ZJLX", "CF_XDR_ZJHM",
                          "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK", "CF_NR_WFFF", "CF_NR_ZKDX", "CF_JDRQ", "CF_YXQ", "CF_GSJZQ",
                          "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM", "CF_ZT", "XZQH", "GXSJ", "BZ"]

    /// A copy of template row `template` (one of the example's, never changed) as row `id`.
    static func insert(_ id: Int, from template: Int) -> String {
        let values = columns.map { c in
            c == "ID" ? "\(id)" : c == "CF_WSH" ? "replace(\"CF_WSH\", '号', '-\(id)号')" : "\"\(c)\""
        }
        return "INSERT INTO t_xzcf (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) SELECT \(values.joined(separator: ", ")) FROM t_xzcf WHERE \"ID\" = \(template)"
    }

    @Test(arguments: ["sqlite", "postgres"]) func theStoreEqualsTheTableWhateverTheKillsAndRaces(engine: String) throws {
        if engine == "postgres" && !PostgresServer.isAvailable {
            Issue.record(Comment(rawValue: PostgresServer.missing))
            return
        }
        let dir = try CLI.temporaryDirectory()
        // The example's five valid rows (1001–1005, templates) copied to 3,000 rows, and a node with a source.
        try CaptureCommandTests.agency(copies: 600, in: dir)
        let agency: any Agency
        var server: PostgresServer?
        if engine == "postgres" {
            // A server of its own: the writers' open transactions hold back capture server-wide.
            server = try PostgresServer()
            let target = try server!.database()
            let pg = try PostgresAgency(target)
            let types = Self.columns.map { "\"\($0)\" " + ($0 == "ID" ? "bigint PRIMARY KEY" : "text") }
            try pg.execute("CREATE TABLE t_xzcf (\(types.joined(separator: ", ")))")
            let lite = try SQLiteAgency(path: dir + "/agency.sqlite")
            for chunk in try lite.rows("SELECT * FROM t_xzcf ORDER BY ID").chunked(500) {
                // The key as a number; the rest as text, as the example's export has it.
                let tuples = chunk.map { row in
                    "(" + zip(Self.columns, row).map { c, v in
                        v.flatMap { $0.isEmpty ? nil : c == "ID" ? $0 : PostgresTarget.literal($0) } ?? "NULL"
                    }.joined(separator: ", ") + ")"
                }
                try pg.execute("INSERT INTO t_xzcf SELECT * FROM (VALUES \(tuples.joined(separator: ", "))) AS v")
            }
            let config = dir + "/n/hutong.toml"
            let text = try String(contentsOfFile: config, encoding: .utf8)
            try text.replacingOccurrences(of: "database = \"../agency.sqlite\"", with: "database = \"postgres://postgres@127.0.0.1:\(target.port)/\(target.database)\"")
                .write(toFile: config, atomically: true, encoding: .utf8)
            agency = pg
        } else {
            agency = try SQLiteAgency(path: dir + "/agency.sqlite")
        }
        _ = server
        let config = ["--config", "n/hutong.toml"]
        let install = try CLI.run(["capture", "install", "xzcf"] + config, in: dir)
        try #require(install.status == 0, "\(install.stderr)")
        let initial = try agency.rows("SELECT count(*) FROM t_xzcf")[0][0].flatMap { Int($0) } ?? 0

        // Writers: each inserts rows of its own, corrects and withdraws them, in
        // transactions of random length; one in five rolled back.
        let writers = 4, transactions = 60
        let committed = Mutex(0)
        let finished = Mutex(0)
        let writing = Thread {
            DispatchQueue.concurrentPerform(iterations: writers) { w in
                do {
                    let session = try agency.connect()
                    var rng = SystemRandomNumberGenerator()
                    var mine: [Int] = []
                    for t in 0..<transactions {
                        var changes = 0
                        var planned: [Int] = []
                        try session.execute(engine == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN")
                        for s in 0..<Int.random(in: 1...4, using: &rng) {
                            let own = mine + planned
                            switch Int.random(in: 0..<6, using: &rng) {
                            case 0 where !own.isEmpty:
                                try session.execute("DELETE FROM t_xzcf WHERE \"ID\" = \(own.randomElement(using: &rng)!)")
                            case 1 where !own.isEmpty, 2 where !own.isEmpty:
                                try session.execute("UPDATE t_xzcf SET \"CF_WFXW\" = 'w\(w)-t\(t)-s\(s)' WHERE \"ID\" = \(own.randomElement(using: &rng)!)")
                            default:
                                let id = 100_000 + w * 10_000 + t * 10 + s
                                try session.execute(Self.insert(id, from: 1001 + Int.random(in: 0..<5, using: &rng)))
                                planned.append(id)
                            }
                            changes += 1
                            if Bool.random(using: &rng) { Thread.sleep(forTimeInterval: Double.random(in: 0.001...0.02, using: &rng)) }
                        }
                        if Int.random(in: 0..<5, using: &rng) == 0 {
                            try session.execute("ROLLBACK")
                        } else {
                            try session.execute("COMMIT")
                            mine += planned
                            committed.withLock { $0 += changes }
                        }
                    }
                } catch {
                    Issue.record("writer \(w): \(error)")
                }
                finished.withLock { $0 += 1 }
            }
        }
        writing.start()

        // The capture, killed at random moments and started again while the writers work.
        var kills = 0
        repeat {
            let pid = try CLI.spawn(["capture", "--follow", "--poll-seconds", "0.2"] + config, in: dir, log: dir + "/follow.log")
            Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.6))
            if CLI.kill(pid) { kills += 1 }
        } while finished.withLock({ $0 }) < writers
        let last = try CLI.run(["capture", "--once"] + config, in: dir)
        #expect(last.status == 0, "\(last.stdout)\(last.stderr)")
        let again = try CLI.run(["capture", "--once"] + config, in: dir)
        #expect(again.stdout.contains("no changes"), "a second capture found more: \(again.stdout)")

        // The store equals the table: each row's record live and as the row is now, no other live record.
        let table = Dictionary(uniqueKeysWithValues: try agency.rows("SELECT \"ID\", \"CF_WFXW\" FROM t_xzcf").map { ($0[0]!, $0[1] ?? "") })
        let store = try DatabaseQueue(path: dir + "/n/hutong.sqlite")
        let stored = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.key, r.deleted, json_extract(r.body, '$.violation_type') FROM source_rows s JOIN records r ON r.id = s.record_id WHERE s.source = 'xzcf'
                """).map { ($0[0] as String, $0[1] as Int, ($0[2] as String?) ?? "") }
        }
        let live = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE deleted = 0") ?? -1 }
        #expect(stored.count == table.count && live == table.count, "\(table.count) rows, \(stored.count) linked, \(live) live records")
        let wrong = stored.filter { table[$0.0] != $0.2 || $0.1 != 0 }
        #expect(wrong.isEmpty, "\(wrong.count) records differ from their rows, e.g. \(wrong.prefix(3))")
        let notes = try agency.rows(engine == "sqlite" ? "SELECT count(*) FROM _hutong_outbox" : "SELECT count(*) FROM hutong.outbox")[0][0]
        #expect(notes == "0", "notes left in the outbox")
        // No version without a committed change that asked for it (the snapshot's rows aside).
        let versions = try store.read { db in try Int.fetchOne(db, sql: "SELECT max(seq) FROM records") ?? 0 }
        #expect(versions <= initial + committed.withLock { $0 }, "\(versions) versions for \(initial) rows and \(committed.withLock { $0 }) committed changes")
        #expect(kills > 0, "the capture was never killed")
        print("capture contract (\(engine)): \(initial) rows, \(committed.withLock { $0 }) committed changes, \(kills) kills, \(versions) versions")
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min(count, $0 + size)] }
    }
}
