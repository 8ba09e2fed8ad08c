import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `hutong run` as systemd runs it: a real datagram socket named in
/// NOTIFY_SOCKET (abstract, as systemd's are) receives READY=1 once the
/// peer API listens, WATCHDOG=1 while the loops go round and STOPPING=1 on
/// SIGTERM; meanwhile the daemon captures an agency's commit and writes its
/// sink; a second daemon on the same store refuses to start.
@Suite struct RunCommandTests {
    /// A bound abstract datagram socket; `receive` returns the next message, or nil after `timeout`.
    final class NotifySocket {
        let fd: Int32
        let name: String

        init() throws {
            name = "@hutong-test-\(UUID().uuidString.prefix(12))"
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var a = sockaddr_un()
            a.sun_family = sa_family_t(AF_UNIX)
            let bytes = [UInt8(0)] + Array(name.dropFirst().utf8)
            withUnsafeMutableBytes(of: &a.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
            let bound = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            try #require(bound == 0, "bind: \(String(cString: strerror(errno)))")
        }

        deinit { close(fd) }

        func receive(timeout: TimeInterval) -> String? {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(timeout * 1_000)) == 1 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 4_096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
        }

        /// Reads what waits, as systemd does: a full queue makes the daemon drop messages.
        func drain() { while receive(timeout: 0) != nil {} }

        /// Messages until one contains `text`, or nil after `timeout`.
        func wait(for text: String, timeout: TimeInterval) -> String? {
            let end = Date().addingTimeInterval(timeout)
            while Date() < end {
                if let m = receive(timeout: end.timeIntervalSinceNow), m.contains(text) { return m }
            }
            return nil
        }
    }

    @Test func theDaemonTellsSystemdCapturesAndStopsCleanly() throws {
        let dir = try CLI.temporaryDirectory()
        try CaptureCommandTests.agency(copies: 1, in: dir)
        try CaptureCommandTests.addSink(in: dir)
        let config = ["--config", "n/hutong.toml"]
        #expect(try CLI.run(["capture", "install", "xzcf"] + config, in: dir).status == 0)
        #expect(try CLI.run(["capture", "install", "agency-in"] + config, in: dir).status == 0)
        // A loopback port of its own for the peer API.
        let toml = dir + "/n/hutong.toml"
        let text = try String(contentsOfFile: toml, encoding: .utf8)
        try text.replacingOccurrences(of: #"listen = "[^"]*""#, with: "listen = \"127.0.0.1:0\"", options: .regularExpression)
            .replacingOccurrences(of: "plain_http = false", with: "plain_http = true")
            .write(toFile: toml, atomically: true, encoding: .utf8)

        let socket = try NotifySocket()
        let log = dir + "/run.log"
        let pid = try CLI.spawn(["run", "--admin-listen", "127.0.0.1:0"] + config, in: dir, log: log, environment: ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "400000", "JOURNAL_STREAM": "8:12345"])
        defer { CLI.kill(pid) }
        let ready = socket.wait(for: "READY=1", timeout: 20)
        #expect(ready?.contains("STATUS=node node-c: 1 sources, 1 sinks") == true, "\(ready ?? "no READY=1"): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(socket.wait(for: "WATCHDOG=1", timeout: 5) != nil, "no WATCHDOG=1 while the loops go round")

        // The snapshot, then a clerk's correction, reach the store and the sink.
        func sunk(_ query: String) throws -> String { try CaptureCommandTests.sql("agency.sqlite", query, in: dir) }
        var arrived = false
        try CaptureCommandTests.clerk("agency.sqlite", "UPDATE t_xzcf SET CF_WFXW = CF_WFXW || '（更正）' WHERE ID = 1001", in: dir)
        for _ in 0..<3_000 where !arrived {
            arrived = (try? sunk("SELECT count(*) FROM hutong_in_penalty WHERE violation_type LIKE '%（更正）'")) == "1"
            if !arrived { Thread.sleep(forTimeInterval: 0.02) }
        }
        #expect(arrived, "the correction did not reach the sink: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

        // The operators' listener: ready, healthy, and the capture counted.
        let admin = try #require(ready?.components(separatedBy: "admin on port ").last?.prefix { $0.isNumber }.description, "\(ready ?? "")")
        func get(_ path: String) throws -> (status: Int32, body: String) {
            let r = try CLI.run(["-s", "-o", "-", "-w", "\n%{http_code}", "http://127.0.0.1:\(admin)\(path)"], in: dir, executable: "/usr/bin/curl")
            let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int32(lines.last ?? "") ?? -1, lines.dropLast().joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(try get("/readyz") == (200, "ready"))
        #expect(try get("/healthz") == (200, "ok"))
        let metrics = try get("/metrics")
        // Five rows and a correction (read by the snapshot already, or as a change after it),
        // counted by record type as captured and as stored.
        let written = Self.value(metrics.body, #"hutong_records_captured_total{source="xzcf",type="penalty",outcome="written"}"#) ?? 0
        #expect(metrics.status == 200 && written >= 5 && Self.value(metrics.body, #"hutong_records_stored_total{type="penalty",from="xzcf"}"#) == written
                && metrics.body.contains("# HELP hutong_records_stored_total New versions stored in this node")
                && metrics.body.contains("hutong_store_size_bytes") && metrics.body.contains(#"hutong_sink_records_total{sink="agency-in"}"#), "\(metrics.body)")

        // The status page, as a real browser shows it.
        let chromium = "/usr/bin/chromium"
        if FileManager.default.isExecutableFile(atPath: chromium) {
            let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir)/chromium"]
            let dom = try CLI.run(flags + ["--dump-dom", "http://127.0.0.1:\(admin)/"], in: dir, executable: chromium)
            #expect(dom.stdout.contains(#"<span id="node">node-c</span>"#) && dom.stdout.contains("<td>xzcf</td><td>trigger</td>")
                    && dom.stdout.contains("<td>agency-in</td>") && dom.stdout.contains(#"id="state">运行中 running"#), "\(dom.stdout)\(dom.stderr)")
            let shot = try CLI.run(flags + ["--screenshot=\(dir)/status.png", "--window-size=1100,700", "http://127.0.0.1:\(admin)/"], in: dir, executable: chromium)
            let size = (try? FileManager.default.attributesOfItem(atPath: dir + "/status.png")[.size] as? Int) ?? 0
            #expect(shot.status == 0 && size > 10_000, "no screenshot: \(shot.stderr)")
        } else {
            Issue.record("chromium is not installed (apt-get install chromium): the status page is not checked in a browser")
        }

        // A second daemon on the same store refuses, naming the first.
        let second = try CLI.run(["run"] + config, in: dir)
        #expect(second.status == 2 && second.stderr.contains("already running") && second.stderr.contains("pid \(pid)"), "\(second.stderr)")

        socket.drain()
        _ = kill(pid, SIGTERM)
        #expect(socket.wait(for: "STOPPING=1", timeout: 10) != nil)
        var status: Int32 = -1
        for _ in 0..<1_000 where waitpid(pid, &status, WNOHANG) == 0 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(status == 0, "exit status \(status) after SIGTERM: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // Under systemd's journal: a priority on each line, no timestamp.
        #expect(output.contains("<6>capture xzcf: ") && output.contains("<6>sink agency-in: 5 rows written") && output.hasPrefix("<6>ready:") && output.contains("<6>stopping"), "[\(output.replacingOccurrences(of: "\n", with: " / "))]")
    }

    /// Two daemons over mutual TLS: a row an agency commits at node-a's source
    /// reaches node-b's store by a push on change (the sync interval is an
    /// hour); node-b down meanwhile holds up nothing at node-a, and gets the
    /// backlog once up.
    /// A series' value in a Prometheus text answer, nil when it is not there.
    static func value(_ metrics: String, _ series: String) -> Double? {
        metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test func aCapturedChangeIsPushedToThePeerAtOnce() throws {
        let cluster = try Cluster(["node-a", "node-b"])
        let dir = cluster.dir
        try cluster.addAgencySource(to: "node-a")

        let a = try CLI.spawn(["run", "--admin-listen", "127.0.0.1:0", "--sync-seconds", "3600", "--config", cluster.config("node-a")], in: dir, log: dir + "/a.log")
        defer { CLI.kill(a) }
        func stored(_ n: String) -> Int {
            Int((try? CaptureCommandTests.sql("\(n)/hutong.sqlite", "SELECT count(*) FROM records", in: dir)) ?? "") ?? -1
        }
        func wait(_ n: String, for count: Int, seconds: Double) -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end, stored(n) != count { Thread.sleep(forTimeInterval: 0.02) }
            return stored(n) == count
        }
        // node-b is down: node-a captures all the same, and says the peer failed.
        #expect(wait("node-a", for: 5, seconds: 20), "node-a did not capture: \((try? String(contentsOfFile: dir + "/a.log", encoding: .utf8)) ?? "")")
        let b = try CLI.spawn(["run", "--admin-listen", "127.0.0.1:0", "--sync-seconds", "3600", "--config", cluster.config("node-b")], in: dir, log: dir + "/b.log")
        defer { CLI.kill(b) }
        Thread.sleep(forTimeInterval: 1)
        try CaptureCommandTests.clerk("agency/agency.sqlite", "UPDATE t_xzcf SET CF_WFXW = CF_WFXW || '（更正）' WHERE ID = 1001", in: dir)
        let log = { ((try? String(contentsOfFile: dir + "/a.log", encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: dir + "/b.log", encoding: .utf8)) ?? "") }
        // Pushed on change: all five records (the backlog that waited for node-b too), well before the hour.
        #expect(wait("node-b", for: 5, seconds: 30), "node-b has \(stored("node-b")) records: \(log())")
        let corrected = { try? CaptureCommandTests.sql("node-b/hutong.sqlite", "SELECT count(*) FROM records WHERE json_extract(body, '$.violation_type') LIKE '%（更正）'", in: dir) }
        let end = Date().addingTimeInterval(30)
        while Date() < end, corrected() != "1" { Thread.sleep(forTimeInterval: 0.02) }
        #expect(corrected() == "1", "\(log().replacingOccurrences(of: "\n", with: " / "))")
        // The correction went by a push of node-a's, not by node-b's pull (it pulled once, at its start).
        let aLog = { ((try? String(contentsOfFile: dir + "/a.log", encoding: .utf8)) ?? "").replacingOccurrences(of: "\n", with: " / ") }
        let logged = Date().addingTimeInterval(30)
        while Date() < logged, !aLog().contains("sync node-b: sent 1,") { Thread.sleep(forTimeInterval: 0.02) }
        #expect(aLog().contains("capture xzcf: 1 written") && aLog().contains("sync node-b: sent 1,"), "\(aLog())")
        // node-a's operators see node-b has everything: in the metrics (lag 0) and on the page.
        let admin = try #require(aLog().components(separatedBy: "admin on port ").last?.prefix { $0.isNumber }.description)
        func get(_ path: String) throws -> String {
            try CLI.run(["-s", "http://127.0.0.1:\(admin)\(path)"], in: dir, executable: "/usr/bin/curl").stdout
        }
        var metrics = ""
        let measured = Date().addingTimeInterval(15)
        while Date() < measured, !metrics.contains(#"hutong_peer_lag_changes{peer="node-b"} 0"#) {
            Thread.sleep(forTimeInterval: 0.2)
            metrics = try get("/metrics")
        }
        #expect(metrics.contains(#"hutong_peer_lag_changes{peer="node-b"} 0"#) && metrics.contains(#"hutong_peer_lag_seconds{peer="node-b"} 0"#)
                && metrics.contains(#"hutong_sync_last_success_timestamp_seconds{peer="node-b"}"#), "\(metrics)")
        // By record type: node-a sent node-b penalties (the correction at least: the rest it may have pulled).
        #expect((Self.value(metrics, #"hutong_records_sent_total{peer="node-b",type="penalty"}"#) ?? 0) >= 1, "\(metrics)")
        let page = try get("/")
        #expect(page.contains("<li class=\"ok\">每条链路正常 every link works</li>") && page.contains("<td class=\"lag\">0</td>"), "\(page)")
        // node-b stored six penalty versions from node-a (five records, one corrected), whichever way each came.
        let bAdmin = try #require(((try? String(contentsOfFile: dir + "/b.log", encoding: .utf8)) ?? "").components(separatedBy: "admin on port ").last?.prefix { $0.isNumber }.description)
        let bMetrics = try CLI.run(["-s", "http://127.0.0.1:\(bAdmin)/metrics"], in: dir, executable: "/usr/bin/curl").stdout
        #expect(Self.value(bMetrics, #"hutong_records_stored_total{type="penalty",from="node-a"}"#) == 6
                && (Self.value(bMetrics, #"hutong_records_received_total{peer="node-a",type="penalty"}"#) ?? 0) >= 6, "\(bMetrics)")
        for pid in [a, b] { _ = kill(pid, SIGTERM) }
        for pid in [a, b] {
            var status: Int32 = -1
            for _ in 0..<1_000 where waitpid(pid, &status, WNOHANG) == 0 { Thread.sleep(forTimeInterval: 0.01) }
            #expect(status == 0, "exit status \(status) after SIGTERM: \(log())")
        }
    }

    /// SIGHUP: a configuration made invalid is refused and the node runs on;
    /// a good one (a source added) replaces the running services, systemd
    /// hears RELOADING=1 then READY=1, and the new source is captured.
    @Test func sighupReloadsAGoodConfigurationAndRefusesABadOne() throws {
        let dir = try CLI.temporaryDirectory()
        try CaptureCommandTests.agency(copies: 1, in: dir)
        let toml = dir + "/n/hutong.toml"
        let full = try String(contentsOfFile: toml, encoding: .utf8)
        let start = full.components(separatedBy: "\n[[sources]]")[0]
        try start.replacingOccurrences(of: "plain_http = false", with: "plain_http = true")
            .replacingOccurrences(of: #"listen = "[^"]*""#, with: "listen = \"127.0.0.1:0\"", options: .regularExpression)
            .write(toFile: toml, atomically: true, encoding: .utf8)
        let good = try String(contentsOfFile: toml, encoding: .utf8)
        let socket = try NotifySocket()
        let log = dir + "/run.log"
        let pid = try CLI.spawn(["run", "--admin-listen", "127.0.0.1:0", "--config", "n/hutong.toml"], in: dir, log: log, environment: ["NOTIFY_SOCKET": socket.name])
        defer { CLI.kill(pid) }
        let output = { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").replacingOccurrences(of: "\n", with: " / ") }
        #expect(socket.wait(for: "READY=1", timeout: 20)?.contains("0 sources") == true, "\(output())")

        try (good + "\n[[sources]]\nname = \"broken\"\n").write(toFile: toml, atomically: true, encoding: .utf8)
        _ = kill(pid, SIGHUP)
        #expect(socket.wait(for: "RELOADING=1", timeout: 10) != nil)
        let refused = socket.wait(for: "READY=1", timeout: 10)
        #expect(refused?.contains("reload refused") == true && refused?.contains("needs database") == true, "\(refused ?? "nothing")")
        #expect(CLI.isRunning(pid))

        try (good + "\n[[sources]]\nname = \"xzcf\"\ndatabase = \"../agency.sqlite\"\ntable = \"t_xzcf\"\nmapping = \"\(CaptureCommandTests.example.appendingPathComponent("penalty.toml").path)\"\n")
            .write(toFile: toml, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["capture", "install", "xzcf", "--config", "n/hutong.toml"], in: dir).status == 0)
        _ = kill(pid, SIGHUP)
        #expect(socket.wait(for: "RELOADING=1", timeout: 10) != nil)
        let ready = socket.wait(for: "READY=1", timeout: 20)
        #expect(ready?.contains("1 sources") == true, "\(ready ?? "nothing"): \(output())")
        let end = Date().addingTimeInterval(20)
        while Date() < end, !output().contains("capture xzcf: 5 written") { Thread.sleep(forTimeInterval: 0.02) }
        #expect(output().contains("reload refused") && output().contains("reloaded") && output().contains("capture xzcf: 5 written"), "\(output())")
        #expect(!output().contains("stopping"), "a reload is not a stop: \(output())")

        // [daemon] is read again too: at log level warning, a capture writes no line, yet it is stored.
        let sourced = try String(contentsOfFile: toml, encoding: .utf8)
        try sourced.replacingOccurrences(of: #"log_level = "info""#, with: "log_level = \"warning\"\nbogus = 1").write(toFile: toml, atomically: true, encoding: .utf8)
        _ = kill(pid, SIGHUP)
        let unknown = socket.wait(for: "READY=1", timeout: 10)
        #expect(unknown?.contains("STATUS=reload refused: n/hutong.toml: [daemon] has an unknown key bogus; its keys are sync_seconds, admin_listen") == true, "\(unknown ?? "nothing")")
        try sourced.replacingOccurrences(of: #"log_level = "info""#, with: "log_level = \"warning\"").write(toFile: toml, atomically: true, encoding: .utf8)
        _ = kill(pid, SIGHUP)
        #expect(socket.wait(for: "READY=1", timeout: 20)?.contains("reload refused") == false)
        try CaptureCommandTests.clerk("agency.sqlite", "UPDATE t_xzcf SET CF_WFXW = CF_WFXW || '（更正）' WHERE ID = 1001", in: dir)
        let corrected = { try? CaptureCommandTests.sql("n/hutong.sqlite", "SELECT count(*) FROM records WHERE json_extract(body, '$.violation_type') LIKE '%（更正）'", in: dir) }
        let stored = Date().addingTimeInterval(20)
        while Date() < stored, corrected() != "1" { Thread.sleep(forTimeInterval: 0.02) }
        #expect(corrected() == "1" && !output().contains("capture xzcf: 1 written"), "\(output())")
        _ = kill(pid, SIGTERM)
        var status: Int32 = -1
        for _ in 0..<1_000 where waitpid(pid, &status, WNOHANG) == 0 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(status == 0, "\(output())")
    }
}
