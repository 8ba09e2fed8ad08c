import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HutongTesting
import Postgres
import Testing

/// Two `hutong run` processes of one node on one PostgreSQL store (as on two
/// machines, for availability): one is active, the other stands by; the
/// active one is killed (-9) while a clerk commits, and the standby takes
/// over within seconds. Every committed row ends in the store exactly once:
/// nothing lost, nothing applied twice.
@Suite(.serialized) struct ActiveStandbyTests {
    static func log(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Waits up to `seconds` for `done`; true when it came.
    static func wait(seconds: Double, _ done: () throws -> Bool) rethrows -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try done() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try done()
    }

    @Test func theStandbyTakesOverWhenTheActiveProcessIsKilled() throws {
        guard PostgresServer.isAvailable else { throw PostgresFailure(PostgresServer.missing) }
        let dir = try CLI.temporaryDirectory()
        // The agency's table (its five example rows) and the node's store on PostgreSQL.
        try CaptureCommandTests.agency(copies: 1, in: dir)
        let target = try PostgresServer.shared.get().database()
        let url = "postgres://\(target.user)@\(target.host):\(target.port)/\(target.database)"
        let made = try CLI.run(["init", "--node-id", "node-h", "--dir", "a", "--listen", "127.0.0.1:0", "--plain-http", "--store-database", url], in: dir)
        try #require(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains(target.description), "\(made.stdout)")
        try CaptureCommandTests.addSource(to: dir + "/a/hutong.toml", database: dir + "/agency.sqlite")
        // The second machine: the same node (configuration and key), the same store.
        try FileManager.default.copyItem(atPath: dir + "/a", toPath: dir + "/b")
        #expect(try CLI.run(["capture", "install", "xzcf", "--config", "a/hutong.toml"], in: dir).status == 0)

        let store = try PostgresSession(target)
        func stored() throws -> (records: Int64, lastSequence: Int64, rewritten: Int64) {
            let row = try store.rows("""
                SELECT count(*), (SELECT value::bigint FROM hutong_store.meta WHERE key = 'last_seq'), count(*) FILTER (WHERE vv <> '{"node-h":1}')
                FROM hutong_store.records
                """)[0]
            return (Int64(row[0] ?? "") ?? -1, Int64(row[1] ?? "") ?? -1, Int64(row[2] ?? "") ?? -1)
        }

        let a = try CLI.spawn(["run", "--admin-listen", "off", "--config", "a/hutong.toml"], in: dir, log: dir + "/a.log")
        defer { CLI.kill(a) }
        #expect(Self.wait(seconds: 30) { Self.log(dir + "/a.log").contains("active:") }, "\(Self.log(dir + "/a.log"))")
        #expect(try Self.wait(seconds: 30) { try stored().records == 5 }, "the snapshot was not stored: \(Self.log(dir + "/a.log"))")
        let b = try CLI.spawn(["run", "--admin-listen", "off", "--config", "b/hutong.toml"], in: dir, log: dir + "/b.log")
        defer { CLI.kill(b) }
        #expect(Self.wait(seconds: 30) { Self.log(dir + "/b.log").contains("standing by") }, "\(Self.log(dir + "/b.log"))")

        // A clerk commits 120 rows, 10 at a time; the active process is killed midway.
        var killedAt: Date?
        for commit in 0..<12 {
            let inserts = (0..<10).map { CaptureContractTests.insert(2_000 + commit * 10 + $0, from: 1_001 + $0 % 5) }
            try CaptureCommandTests.clerk("agency.sqlite", "BEGIN; " + inserts.joined(separator: "; ") + "; COMMIT;", in: dir)
            if commit == 5 {
                // Once some of the clerk's rows are stored, while more are on their way.
                _ = try Self.wait(seconds: 10) { try stored().records > 5 }
                CLI.kill(a)
                killedAt = Date()
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let tookOver = Self.wait(seconds: 30) { Self.log(dir + "/b.log").contains("active:") }
        #expect(tookOver, "the standby did not take over: \(Self.log(dir + "/b.log"))")
        let seconds = Date().timeIntervalSince(killedAt ?? Date())
        #expect(seconds < 10, "took over \(seconds) s after the kill")
        // The standby captured nothing while it stood by.
        let bLog = Self.log(dir + "/b.log")
        let standing = bLog.range(of: "standing by")?.lowerBound, active = bLog.range(of: "active:")?.lowerBound
        if let standing, let active { #expect(!bLog[standing..<active].contains("capture xzcf"), "\(bLog)") }

        let arrived = try Self.wait(seconds: 60) { try stored().records == 125 }
        let s = try stored()
        #expect(arrived && s.records == 125, "\(s.records) records of 125: \(bLog)")
        // No row applied twice: each record has one version, and the change log counts each once.
        #expect(s.rewritten == 0 && s.lastSequence == 125, "\(s)")
        #expect(try CaptureCommandTests.sql("agency.sqlite", "SELECT count(*) FROM _hutong_outbox", in: dir) == "0")

        // A started again stands by. B's lock connection is cut (a network
        // failure between B and the server): B can no longer know it is the
        // only active one, so it stops, and A takes over.
        let again = try CLI.spawn(["run", "--admin-listen", "off", "--config", "a/hutong.toml"], in: dir, log: dir + "/a2.log")
        defer { CLI.kill(again) }
        #expect(Self.wait(seconds: 30) { Self.log(dir + "/a2.log").contains("standing by") }, "\(Self.log(dir + "/a2.log"))")
        let cut = try store.rows("""
            SELECT pg_terminate_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """)
        #expect(cut.count == 1)
        var status: Int32 = 0
        let stopped = Self.wait(seconds: 15) { waitpid(b, &status, WNOHANG) == b }
        #expect(stopped && status != 0 && Self.log(dir + "/b.log").contains("lost the connection that holds the store's active lock"), "\(Self.log(dir + "/b.log"))")
        #expect(Self.wait(seconds: 15) { Self.log(dir + "/a2.log").contains("active:") }, "\(Self.log(dir + "/a2.log"))")
        try CaptureCommandTests.clerk("agency.sqlite", CaptureContractTests.insert(3_000, from: 1_001), in: dir)
        #expect(try Self.wait(seconds: 30) { try stored().records == 126 }, "\(Self.log(dir + "/a2.log"))")
        _ = kill(again, SIGTERM)
    }
}
