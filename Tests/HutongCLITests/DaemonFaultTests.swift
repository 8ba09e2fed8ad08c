import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `hutong run` when things go wrong around it: peers that are slow or answer
/// garbage, a store whose disk fills up, a stop in the middle of a large
/// push. None of it loses a record, holds up the healthy peer, or goes
/// unseen in status, logs and metrics.
@Suite struct DaemonFaultTests {
    static func text(_ path: String) -> String { ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").replacingOccurrences(of: "\n", with: " / ") }

    static func stored(_ db: String, in dir: String) -> Int {
        Int((try? CaptureCommandTests.sql(db, "SELECT count(*) FROM records", in: dir)) ?? "") ?? -1
    }

    static func until(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
    }

    /// Waits for `pid` to end; its exit status and how long that took.
    static func waitExit(_ pid: pid_t, within seconds: Double) -> (status: Int32, seconds: Double) {
        let start = Date()
        var status: Int32 = -1
        while Date().timeIntervalSince(start) < seconds, waitpid(pid, &status, WNOHANG) == 0 { Thread.sleep(forTimeInterval: 0.01) }
        return (status, Date().timeIntervalSince(start))
    }

    /// node-a has three peers: node-b healthy, node-c trickling a byte a
    /// second, node-d answering plain text. node-b gets node-a's records at
    /// once all the same; the other two show up as failing, with their
    /// reasons, in status, metrics and the log; and a stop while node-c
    /// trickles takes a second, not the request's timeout.
    @Test func slowAndGarbagePeersHoldUpNoOne() throws {
        let cluster = try Cluster(["node-a", "node-b", "node-c", "node-d"])
        let dir = cluster.dir
        let slow = try FaultyPeer(port: cluster.ports["node-c"]!, .slow)
        let garbage = try FaultyPeer(port: cluster.ports["node-d"]!, .garbage)
        defer { slow.stop(); garbage.stop() }
        try cluster.addAgencySource(to: "node-a", extra: "\n[sync]\nstall_seconds = 2\n")

        let aLog = dir + "/a.log", bLog = dir + "/b.log"
        let a = try CLI.spawn(["run", "--admin-listen", "127.0.0.1:0", "--sync-seconds", "3600", "--config", cluster.config("node-a")], in: dir, log: aLog)
        defer { CLI.kill(a) }
        let b = try CLI.spawn(["run", "--admin-listen", "off", "--sync-seconds", "3600", "--config", cluster.config("node-b")], in: dir, log: bLog)
        defer { CLI.kill(b) }
        #expect(Self.until(30) { Self.stored("node-b/hutong.sqlite", in: dir) == 5 }, "node-b: \(Self.text(aLog)) // \(Self.text(bLog))")
        // A clerk's correction reaches node-b within seconds while node-c still trickles.
        let changed = Date()
        try CaptureCommandTests.clerk("agency/agency.sqlite", "UPDATE t_xzcf SET CF_WFXW = CF_WFXW || '（更正）' WHERE ID = 1001", in: dir)
        let corrected = { try? CaptureCommandTests.sql("node-b/hutong.sqlite", "SELECT count(*) FROM records WHERE json_extract(body, '$.violation_type') LIKE '%（更正）'", in: dir) }
        #expect(Self.until(10) { corrected() == "1" }, "\(Self.text(aLog))")
        let took = Date().timeIntervalSince(changed)
        #expect(took < 3, "the correction took \(took) s to reach node-b")

        // Both faulty peers are failing, each with its reason, wherever an operator looks.
        var status = ""
        #expect(try Self.until(60) {
            status = try cluster.run("node-a", ["status"]).stdout
            return status.components(separatedBy: "failing since").count == 3
        }, "\(status)")
        let lines = status.components(separatedBy: "\n")
        let failures = { (peer: String) in lines.drop { !$0.hasPrefix("peer \(peer) ") }.dropFirst().first ?? "" }
        #expect(failures("node-c").contains("curl error 28") && failures("node-d").contains("curl error 35") && !status.contains("peer node-b (https://127.0.0.1:\(cluster.ports["node-b"]!)): lacks"),
                "\(status)")
        let explained = try cluster.run("node-a", ["status", "--explain"])
        #expect(explained.status == 1 && explained.stdout.contains("FAIL penalty → node-c: syncs with node-c have failed since")
                && explained.stdout.contains("ok   penalty → node-b: syncing"), "\(explained.stdout)")
        let admin = try #require(Self.text(aLog).components(separatedBy: "admin on port ").last?.prefix { $0.isNumber }.description)
        let metrics = try CLI.run(["-s", "http://127.0.0.1:\(admin)/metrics"], in: dir, executable: "/usr/bin/curl").stdout
        let failed = { (peer: String) in
            metrics.split(separator: "\n").first { $0.hasPrefix(#"hutong_sync_failures_total{peer="\#(peer)"} "#) }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        }
        #expect(failed("node-c") >= 1 && failed("node-d") >= 1 && failed("node-b") == 0, "\(metrics)")
        #expect(Self.text(aLog).contains("sync node-c: failed: ") && Self.text(aLog).contains("sync node-d: failed: "), "\(Self.text(aLog))")

        // node-c may now stall for a minute; a stop does not wait for it.
        try cluster.editConfig("node-a", [("stall_seconds = 2", "stall_seconds = 60")])
        _ = kill(a, SIGHUP)
        #expect(Self.until(20) { Self.text(aLog).contains("reloaded:") && Self.text(aLog).components(separatedBy: "ready:").count == 3 }, "\(Self.text(aLog))")
        try CaptureCommandTests.clerk("agency/agency.sqlite", "UPDATE t_xzcf SET CF_WFXW = CF_WFXW || '（再更正）' WHERE ID = 1002", in: dir)
        #expect(Self.until(10) { Self.text(aLog).contains("capture xzcf: 1 written") && Self.text(aLog).components(separatedBy: "capture xzcf: 1 written").count == 3 }, "\(Self.text(aLog))")
        Thread.sleep(forTimeInterval: 1)
        _ = kill(a, SIGTERM)
        let stopped = Self.waitExit(a, within: 30)
        #expect(stopped.status == 0 && stopped.seconds < 5, "stopped with \(stopped.status) after \(stopped.seconds) s: \(Self.text(aLog))")
        #expect(Self.text(aLog).contains("sync node-c: abandoned for a stop or reload"), "\(Self.text(aLog))")
    }

    /// The store's disk fills up in the middle of a first snapshot (a small
    /// tmpfs): the daemon keeps running, says so in its log, its metrics,
    /// `hutong status` and `--explain`; the agency's rows and a clerk's change
    /// made meanwhile wait in the agency's database; once the operator makes
    /// room, every row arrives, and the store checks intact.
    @Test func aFullDiskStopsNothingForGood() throws {
        let dir = try CLI.temporaryDirectory()
        try CaptureCommandTests.agency(copies: 2_000, in: dir)
        let disk = dir + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mounted = try CLI.run(["-t", "tmpfs", "-o", "size=3m", "tmpfs", disk], in: dir, executable: "/usr/bin/mount")
        try #require(mounted.status == 0, "mount tmpfs (the test runs as root, as CI does): \(mounted.stderr)")
        defer { _ = try? CLI.run([disk], in: dir, executable: "/usr/bin/umount") }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: dir + "/n/hutong.sqlite" + suffix) {
            try FileManager.default.copyItem(atPath: dir + "/n/hutong.sqlite" + suffix, toPath: disk + "/hutong.sqlite" + suffix)
        }
        let toml = dir + "/n/hutong.toml"
        try (try String(contentsOfFile: toml, encoding: .utf8))
            .replacingOccurrences(of: #"path = "hutong.sqlite""#, with: "path = \"\(disk)/hutong.sqlite\"")
            .replacingOccurrences(of: #"\nlisten = "[^"]*""#, with: "\nlisten = \"127.0.0.1:0\"", options: .regularExpression)
            .replacingOccurrences(of: "plain_http = false", with: "plain_http = true")
            .write(toFile: toml, atomically: true, encoding: .utf8)
        let config = ["--config", "n/hutong.toml"]
        #expect(try CLI.run(["capture", "install", "xzcf"] + config, in: dir).status == 0)

        let log = dir + "/run.log"
        let pid = try CLI.spawn(["run", "--admin-listen", "127.0.0.1:0"] + config, in: dir, log: log)
        defer { CLI.kill(pid) }
        #expect(Self.until(60) { Self.text(log).contains("capture xzcf: failed") }, "\(Self.text(log))")
        #expect(Self.text(log).contains("full"), "\(Self.text(log))")
        try CaptureCommandTests.clerk("agency.sqlite", "UPDATE t_xzcf SET CF_WFXW = CF_WFXW || '（更正）' WHERE ID = 1001", in: dir)
        #expect(CLI.isRunning(pid))

        // Seen wherever an operator looks.
        let status = try CLI.run(["status"] + config, in: dir).stdout
        #expect(status.contains("free on its disk — FULL: the store's disk is full"), "\(status)")
        let admin = try #require(Self.text(log).components(separatedBy: "admin on port ").last?.prefix { $0.isNumber }.description)
        let metrics = try CLI.run(["-s", "http://127.0.0.1:\(admin)/metrics"], in: dir, executable: "/usr/bin/curl").stdout
        #expect(metrics.contains(#"hutong_capture_failures_total{source="xzcf"}"#) && metrics.contains("hutong_store_disk_free_bytes"), "\(metrics)")
        let page = try CLI.run(["-s", "http://127.0.0.1:\(admin)/"], in: dir, executable: "/usr/bin/curl").stdout
        #expect(page.contains(#"<p class="bad" id="space">the store&#39;s disk is full"#), "\(page)")
        // The agency's rows are still all there, and the clerk's change waits in its outbox.
        #expect(try CaptureCommandTests.sql("agency.sqlite", "SELECT count(*) FROM _hutong_outbox", in: dir) != "0")

        // The operator makes room: everything arrives.
        let grown = try CLI.run(["-o", "remount,size=200m", disk], in: dir, executable: "/usr/bin/mount")
        try #require(grown.status == 0, "\(grown.stderr)")
        let corrected = { try? CaptureCommandTests.sql(disk + "/hutong.sqlite", "SELECT count(*) FROM records WHERE json_extract(body, '$.violation_type') LIKE '%（更正）'", in: dir) }
        #expect(Self.until(90) { Self.stored(disk + "/hutong.sqlite", in: dir) == 10_000 && corrected() == "1" }, "\(Self.stored(disk + "/hutong.sqlite", in: dir)) stored: \(Self.text(log))")
        #expect(Self.until(10) { (try? CaptureCommandTests.sql("agency.sqlite", "SELECT count(*) FROM _hutong_outbox", in: dir)) == "0" })
        _ = kill(pid, SIGTERM)
        #expect(Self.waitExit(pid, within: 30).status == 0, "\(Self.text(log))")
        let check = try CLI.run(["check"] + config, in: dir)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let after = try CLI.run(["status"] + config, in: dir).stdout
        #expect(!after.contains("FULL") && after.contains("10000 rows stored"), "\(after)")
    }

    /// SIGTERM while node-a pushes 10,000 records to node-b in batches over a
    /// slow link (512 KB/s): it exits at once and cleanly, the batch under way
    /// applied whole or not at all; started again, it pushes the rest, and
    /// both stores are the same.
    @Test func aStopInTheMiddleOfALargePushLosesNothing() throws {
        let cluster = try Cluster(["node-a", "node-b"])
        let dir = cluster.dir
        let link = CuttingProxy(to: cluster.ports["node-b"]!, cutAfter: nil, bytesPerSecond: 512 << 10)
        defer { link.stop() }
        try cluster.editConfig("node-a", [("url = \"https://127.0.0.1:\(cluster.ports["node-b"]!)\"", "url = \"https://127.0.0.1:\(link.port)\"")])
        // node-b cannot reach node-a (it would pull everything at once): the records come by node-a's push alone.
        try cluster.editConfig("node-b", [("url = \"https://127.0.0.1:\(cluster.ports["node-a"]!)\"", "url = \"https://127.0.0.1:\(Cluster.freePort())\"")])
        #expect(try CLI.run(["sample", "--type", "penalty", "--count", "10000", "--seed", "7", "-o", "p.ndjson"], in: dir).status == 0)
        #expect(try cluster.run("node-a", ["import", "p.ndjson"]).status == 0)
        let b = try CLI.spawn(["run", "--admin-listen", "off", "--sync-seconds", "3600", "--config", cluster.config("node-b")], in: dir, log: dir + "/b.log")
        defer { CLI.kill(b) }
        Thread.sleep(forTimeInterval: 0.5)
        var a = try CLI.spawn(["run", "--admin-listen", "off", "--sync-seconds", "3600", "--config", cluster.config("node-a")], in: dir, log: dir + "/a.log")
        defer { CLI.kill(a) }
        #expect(Self.until(30) { Self.stored("node-b/hutong.sqlite", in: dir) > 0 }, "\(Self.text(dir + "/a.log"))")
        _ = kill(a, SIGTERM)
        let stopped = Self.waitExit(a, within: 30)
        let atStop = Self.stored("node-b/hutong.sqlite", in: dir)
        #expect(stopped.status == 0 && stopped.seconds < 10, "stopped with \(stopped.status) after \(stopped.seconds) s: \(Self.text(dir + "/a.log"))")
        // Whole batches only: what node-b has is a multiple of the batch size.
        #expect(atStop % 1_000 == 0 && atStop < 10_000, "node-b has \(atStop) records: a batch was applied in part, or the push was not stopped midway: \(Self.text(dir + "/a.log")) // \(Self.text(dir + "/b.log"))")

        // Started again, over a fast link this time.
        try cluster.editConfig("node-a", [("url = \"https://127.0.0.1:\(link.port)\"", "url = \"https://127.0.0.1:\(cluster.ports["node-b"]!)\"")])
        a = try CLI.spawn(["run", "--admin-listen", "off", "--sync-seconds", "3600", "--config", cluster.config("node-a")], in: dir, log: dir + "/a2.log")
        #expect(Self.until(120) { Self.stored("node-b/hutong.sqlite", in: dir) == 10_000 }, "\(Self.text(dir + "/a2.log"))")
        for pid in [a, b] { _ = kill(pid, SIGTERM) }
        for pid in [a, b] { #expect(Self.waitExit(pid, within: 30).status == 0) }
        #expect(try cluster.state("node-a") == cluster.state("node-b"))
        #expect(try cluster.run("node-b", ["check"]).status == 0)
        print("aStopInTheMiddleOfALargePushLosesNothing: node-b had \(atStop) of 10000 records when node-a was stopped, \(stopped.seconds) s after SIGTERM")
    }

    /// A listener that cannot bind (its port taken) ends the daemon with a
    /// clear message and exit 2, rather than leaving it half up and deaf to SIGTERM.
    @Test func aTakenPortEndsTheDaemonClearly() throws {
        let dir = try CLI.temporaryDirectory()
        try CaptureCommandTests.agency(copies: 1, in: dir)
        #expect(try CLI.run(["capture", "install", "xzcf", "--config", "n/hutong.toml"], in: dir).status == 0)
        let (taken, port) = Cluster.boundSocket()
        listen(taken, 4)
        defer { close(taken) }
        let started = Date()
        let r = try CLI.run(["run", "--admin-listen", "127.0.0.1:\(port)", "--config", "n/hutong.toml"], in: dir)
        #expect(r.status == 2 && r.stderr.contains("cannot listen:") && r.stderr.contains("127.0.0.1:\(port) is taken by another program"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 20)
    }
}
