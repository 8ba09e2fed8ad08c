import Foundation
#if canImport(Glibc)
import Glibc
#endif
import JSON
import Testing

/// `hutong capture` on a real agency SQLite database, killed (SIGKILL) in
/// the middle of its snapshot and in the middle of its outbox: the next run
/// goes on from where the store says, nothing is lost, no version is made
/// twice, and no note stays in the outbox.
@Suite struct CaptureCommandTests {
    static let example = CLI.repo.appendingPathComponent("deploy/examples/legacy-penalty")

    /// An agency database with the worked example's valid rows copied `copies` times
    /// (each copy its own ID and decision number), and a node with a source for it.
    static func agency(copies: Int, in dir: String) throws {
        let csv = example.appendingPathComponent("xzcf-2023.csv").path
        let header = try #require(try String(contentsOfFile: csv, encoding: .utf8).split(whereSeparator: \.isNewline).first)
            .replacingOccurrences(of: "\u{FEFF}", with: "").split(separator: ",").map(String.init)
        let columns = header.map { $0 == "ID" ? "ID INTEGER PRIMARY KEY" : ["CF_NR_FK", "CF_NR_WFFF"].contains($0) ? "\($0) REAL" : "\($0) TEXT" }
        let copied = header.map { $0 == "ID" ? "ID + k * 10" : $0 == "CF_WSH" ? "replace(CF_WSH, '号', '-' || k || '号')" : $0 }
        let script = """
            CREATE TABLE t_xzcf (\(columns.joined(separator: ", ")));
            .import --csv --skip 1 \(csv) t_xzcf
            DELETE FROM t_xzcf WHERE ID IN (1006, 1007, 1008);
            WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < \(copies - 1))
            INSERT INTO t_xzcf SELECT \(copied.joined(separator: ", ")) FROM t_xzcf, n WHERE \(copies) > 1;
            """
        try script.write(toFile: dir + "/agency.sql", atomically: true, encoding: .utf8)
        let made = try CLI.run(["agency.sqlite", ".read agency.sql"], in: dir, executable: "/usr/bin/sqlite3")
        try #require(made.status == 0, "sqlite3: \(made.stderr)")
        #expect(try CLI.run(["init", "--node-id", "node-c", "--dir", "n"], in: dir).status == 0)
        try addSource(to: dir + "/n/hutong.toml", database: "../agency.sqlite")
    }

    /// A `[[sources]]` "xzcf": the example's table in `database`, read through its mapping.
    static func addSource(to config: String, database: String) throws {
        let source = """

            [[sources]]
            name = "xzcf"
            database = "\(database)"
            table = "t_xzcf"
            mapping = "\(example.appendingPathComponent("penalty.toml").path)"

            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: config))
        handle.seekToEndOfFile()
        handle.write(Data(source.utf8))
        try handle.close()
    }

    /// A `[[sinks]]` for the same agency database.
    static func addSink(in dir: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/n/hutong.toml"))
        handle.seekToEndOfFile()
        handle.write(Data("\n[[sinks]]\nname = \"agency-in\"\ndatabase = \"../agency.sqlite\"\ntypes = [\"penalty\"]\n".utf8))
        try handle.close()
    }

    /// A clerk's change to the agency's database while a capture may hold its
    /// lock: waited for (as an application would) and required to succeed.
    static func clerk(_ db: String, _ statement: String, in dir: String) throws {
        let r = try CLI.run(["-cmd", ".timeout 20000", db, statement], in: dir, executable: "/usr/bin/sqlite3")
        try #require(r.status == 0 && r.stderr.isEmpty, "sqlite3 \(statement): \(r.stderr)")
    }

    static func sql(_ db: String, _ query: String, in dir: String) throws -> String {
        try CLI.run([db, query], in: dir, executable: "/usr/bin/sqlite3").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func count(_ word: String, in output: String) -> Int {
        guard let r = output.range(of: #"(\d+) "# + word, options: .regularExpression) else { return 0 }
        return Int(output[r].split(separator: " ")[0]) ?? 0
    }

    @Test func aKilledCaptureGoesOnWhereItStopped() throws {
        let dir = try CLI.temporaryDirectory()
        let total = 10_000
        try Self.agency(copies: total / 5, in: dir)
        let config = ["--config", "n/hutong.toml"]

        let printed = try CLI.run(["capture", "install", "xzcf", "--print"] + config, in: dir)
        #expect(printed.stdout.contains("CREATE TRIGGER \"_hutong_capture_t_xzcf_insert\" AFTER INSERT ON \"t_xzcf\""), "\(printed.stdout)")
        #expect(!printed.stdout.contains("json_"), "trigger bodies are plain SQL")
        #expect(try Self.sql("agency.sqlite", "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'", in: dir) == "0")
        let installed = try CLI.run(["capture", "install", "xzcf"] + config, in: dir)
        #expect(installed.status == 0 && installed.stdout.contains("starts with a snapshot"), "\(installed.stderr)")

        // Killed once a page of the snapshot is stored.
        let pid = try CLI.spawn(["capture", "--once", "--transaction-size", "200"] + config, in: dir)
        let start = Date()
        while Date().timeIntervalSince(start) < 60, CLI.isRunning(pid),
              try Self.sql("n/hutong.sqlite", "SELECT count(*) FROM sources WHERE position LIKE 'snapshot after%'", in: dir) != "1" {
            Thread.sleep(forTimeInterval: 0.01)
        }
        Thread.sleep(forTimeInterval: Double.random(in: 0...0.1))
        let killedInSnapshot = CLI.kill(pid)
        let storedBefore = Int(try Self.sql("n/hutong.sqlite", "SELECT count(*) FROM records", in: dir)) ?? -1

        // The clerks go on meanwhile: every decision's wording is corrected.
        #expect(try Self.sql("agency.sqlite", "UPDATE t_xzcf SET CF_WFXW = CF_WFXW || '（更正）'; SELECT changes()", in: dir) == "\(total)")

        // The rest of the snapshot and the outbox, killed once some notes are cleared.
        let outboxBefore = Int(try Self.sql("agency.sqlite", "SELECT count(*) FROM _hutong_outbox", in: dir)) ?? 0
        let log = dir + "/second.log"
        let second = try CLI.spawn(["capture", "--once", "--transaction-size", "200"] + config, in: dir, log: log)
        let started = Date()
        while Date().timeIntervalSince(started) < 120, CLI.isRunning(second),
              (Int(try Self.sql("agency.sqlite", "SELECT count(*) FROM _hutong_outbox", in: dir)) ?? 0) >= outboxBefore {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let killedInOutbox = CLI.kill(second)

        let finish = try CLI.run(["capture", "--once"] + config, in: dir)
        #expect(finish.status == 0, "\(finish.stdout)\(finish.stderr)")
        if killedInSnapshot {
            // The stopped snapshot went on from its last stored page: what was
            // stored before the kill is not read again, but for one page.
            let firstLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(storedBefore > 0 && storedBefore < total, "\(storedBefore) stored when killed")
            #expect(Self.count("unchanged", in: firstLog + finish.stdout) <= 1_000 + outboxBefore, "\(firstLog)\n\(finish.stdout)")
        }

        // Every decision once, as the table holds it now. Those stored before
        // the correction have a second version for it; those the snapshot read
        // after it, one. None has more: nothing was stored twice.
        let records = try CLI.run(["records", "list", "--json", "--limit", "20000"] + config, in: dir).lines.map { try JSONParser.parse($0) }
        #expect(records.count == total)
        #expect(records.allSatisfy { $0["body"]?["violation_type"]?.stringValue?.hasSuffix("（更正）") == true })
        let counters = Dictionary(grouping: records) { $0["vv"]?["node-c"]?.intValue ?? 0 }.mapValues(\.count)
        #expect(counters == [2: storedBefore, 1: total - storedBefore], "versions per record: \(counters), \(storedBefore) stored before the correction")
        #expect(try Self.sql("agency.sqlite", "SELECT count(*) FROM _hutong_outbox", in: dir) == "0")
        #expect(try CLI.run(["audit", "verify"] + config, in: dir).status == 0)
        let status = try CLI.run(["status"] + config, in: dir).stdout
        #expect(status.contains("source xzcf (trigger, ") && status.contains("snapshot done, following changes  \(total) rows stored  0 changes waiting"), "\(status)")
        #expect(killedInSnapshot, "the capture was not killed in its snapshot")
        if !killedInOutbox { print("note: the second capture ended before it could be killed in its outbox") }
    }

    @Test func aRecordWithdrawnByHandIsATombstoneWithItsReasonAudited() throws {
        let dir = try CLI.temporaryDirectory()
        try Self.agency(copies: 1, in: dir)
        let config = ["--config", "n/hutong.toml"]
        // Not installed: the source's line says what to do, and the exit code is 4.
        let refused = try CLI.run(["capture", "--once"] + config, in: dir)
        #expect(refused.status == 4 && refused.stdout.contains("hutong capture install xzcf"), "\(refused.stdout)")
        #expect(try CLI.run(["status"] + config, in: dir).stdout.contains("triggers not installed"))
        #expect(try CLI.run(["capture", "install", "xzcf"] + config, in: dir).status == 0)
        let captured = try CLI.run(["capture", "--once"] + config, in: dir)
        #expect(captured.status == 0 && captured.stdout.contains("5 written"), "\(captured.stdout)\(captured.stderr)")
        let id = try #require(try CLI.run(["records", "list", "--json"] + config, in: dir).lines.first.map { try JSONParser.parse($0)["id"]?.stringValue })

        #expect(try CLI.run(["records", "delete", id!, "--reason", " "] + config, in: dir).status == 2)
        #expect(try CLI.run(["records", "delete", "00000000-0000-5000-8000-000000000000", "--reason", "x"] + config, in: dir).status == 1)
        let deleted = try CLI.run(["records", "delete", id!, "--reason", "信用修复：撤销公示"] + config, in: dir)
        #expect(deleted.status == 0 && deleted.stdout.contains("withdrawn"), "\(deleted.stderr)")
        #expect(try JSONParser.parse(try CLI.run(["records", "get", id!] + config, in: dir).stdout)["deleted"] == true)
        let audit = try CLI.run(["audit", "list"] + config, in: dir).stdout
        #expect(audit.contains("record-deleted") && audit.contains("信用修复：撤销公示") && audit.contains("capture-installed"), "\(audit)")
        #expect(try CLI.run(["records", "delete", id!, "--reason", "again"] + config, in: dir).stdout.contains("already deleted"))

        // A sink: its tables made by install (or shown by --print), the records written by capture --once.
        try Self.addSink(in: dir)
        let sql = try CLI.run(["capture", "install", "agency-in", "--print"] + config, in: dir)
        #expect(sql.status == 0 && sql.stdout.contains("CREATE TABLE IF NOT EXISTS \"hutong_in_penalty\""), "\(sql.stdout)\(sql.stderr)")
        let notYet = try CLI.run(["capture", "--once"] + config, in: dir)
        #expect(notYet.status == 4 && notYet.stdout.contains("sink agency-in: failed") && notYet.stdout.contains("hutong capture install agency-in"), "\(notYet.stdout)")
        #expect(try CLI.run(["capture", "install", "agency-in"] + config, in: dir).status == 0)
        let sunk = try CLI.run(["capture", "--once"] + config, in: dir)
        #expect(sunk.status == 0 && sunk.stdout.contains("sink agency-in: 5 rows written (1 marked deleted)"), "\(sunk.stdout)\(sunk.stderr)")
        #expect(try Self.sql("agency.sqlite", "SELECT deleted FROM hutong_in_penalty WHERE id = '\(id!)'", in: dir) == "1")
        let status = try CLI.run(["status"] + config, in: dir).stdout
        #expect(status.contains("sink agency-in (") && status.contains("written up to change 6 of 6"), "\(status)")
    }

    /// `capture --follow` on SQLite takes a commit without waiting for its
    /// poll (a poll of an hour here), and stops cleanly on SIGTERM.
    @Test func aFollowingCaptureSeesEachCommitAndStopsOnSIGTERM() throws {
        let dir = try CLI.temporaryDirectory()
        try Self.agency(copies: 1, in: dir)
        let config = ["--config", "n/hutong.toml"]
        try Self.addSink(in: dir)
        #expect(try CLI.run(["capture", "install", "xzcf"] + config, in: dir).status == 0)
        #expect(try CLI.run(["capture", "install", "agency-in"] + config, in: dir).status == 0)
        #expect(try CLI.run(["capture"] + config, in: dir).status == 2, "neither --once nor --follow")
        let log = dir + "/follow.log"
        let pid = try CLI.spawn(["capture", "--follow", "--poll-seconds", "3600"] + config, in: dir, log: log)
        func stored() throws -> Int { Int(try Self.sql("n/hutong.sqlite", "SELECT count(*) FROM records", in: dir)) ?? -1 }
        func waitFor(_ n: Int) throws -> Bool {
            for _ in 0..<1_000 where try stored() != n { Thread.sleep(forTimeInterval: 0.01) }
            return try stored() == n
        }
        #expect(try waitFor(5), "the snapshot was not taken")
        try Self.clerk("agency.sqlite", "UPDATE t_xzcf SET CF_WFXW = CF_WFXW || '（更正）' WHERE ID = 1001", in: dir)
        let sequence = { Int(try Self.sql("n/hutong.sqlite", "SELECT max(seq) FROM records", in: dir)) ?? 0 }
        var seen = false
        for _ in 0..<1_000 where !seen {
            seen = try sequence() == 6
            if !seen { Thread.sleep(forTimeInterval: 0.01) }
        }
        #expect(seen, "the update was not taken")
        _ = kill(pid, SIGTERM)
        var status: Int32 = -1
        for _ in 0..<500 where waitpid(pid, &status, WNOHANG) == 0 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(status == 0, "exit status \(status) after SIGTERM: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        if status == -1 { CLI.kill(pid) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(output.contains("xzcf: 1 written") && output.contains("sink agency-in: 5 rows written"), "\(output)")
        // The sink followed too: the corrected row is in its table, and nothing it wrote was noted.
        #expect(try Self.sql("agency.sqlite", "SELECT count(*) FROM hutong_in_penalty WHERE violation_type LIKE '%（更正）'", in: dir) == "1")
        #expect(try Self.sql("agency.sqlite", "SELECT count(*) FROM _hutong_outbox", in: dir) == "0")
    }
}
