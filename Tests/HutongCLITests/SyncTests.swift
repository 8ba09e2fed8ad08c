import Foundation
import Standard
import Testing
import JSON

/// `hutong serve` and `hutong sync --once` between real node processes over
/// mutual TLS on 127.0.0.1.
@Suite(.serialized) struct SyncTests {
    /// Random writes at three nodes, `sync --once` in random pairs until a full
    /// pass moves nothing; then all three hold identical records.
    @Test func threeNodesConverge() throws {
        let c = try Cluster(["node-a", "node-b", "node-c"])
        try c.serveAll()
        var rng = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 1...1_000_000, using: &rng)
        let types = ["penalty", "violation_lead", "case_transfer"]
        for (i, n) in c.names.enumerated() {
            // The same penalties at every node (edited apart below: concurrent versions), and records of its own.
            for (type, s) in [("penalty", seed), (types[i], seed + UInt64(i) + 1)] {
                let made = try CLI.run(["sample", "--type", type, "--count", "20", "--seed", "\(s)", "-o", "\(n)/\(type).ndjson"], in: c.dir)
                #expect(made.status == 0, "\(made.stderr)")
                #expect(try c.run(n, ["import", "\(n)/\(type).ndjson"]).status == 0)
            }
        }
        for round in 0..<6 {
            // Edits at a random node of what it holds, then a random exchange.
            let n = c.names[round % 3]
            let bodies = try c.run(n, ["records", "list", "--json", "--limit", "20"]).lines.compactMap { line -> String? in
                guard var body = try JSONParser.parse(line)["body"]?.objectValue, !body.isEmpty else { return nil }
                body["remarks"] = .string("第\(round)轮 \(n) 修改")
                return JSONWriter.string(.object(body))
            }.shuffled(using: &rng).prefix(5)
            try (bodies.joined(separator: "\n") + "\n").write(toFile: "\(c.dir)/\(n)/edit.ndjson", atomically: true, encoding: .utf8)
            #expect(try c.run(n, ["import", "\(n)/edit.ndjson"]).status == 0)
            let x = c.names.randomElement(using: &rng)!, y = c.names.filter { $0 != x }.randomElement(using: &rng)!
            let r = try c.run(x, ["sync", "--once", "--peer", y])
            #expect(r.status == 0, "sync \(x) with \(y): \(r.stdout) \(r.stderr)")
        }
        var quiet = false
        for _ in 0..<6 where !quiet {
            quiet = true
            for x in c.names {
                let r = try c.run(x, ["sync", "--once", "--json"])
                #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
                for s in try JSONParser.parse(r.stdout).arrayValue ?? [] {
                    // curl asks for HTTP/2 and the server offers it (ALPN).
                    #expect(s["http"] == "HTTP/2", "\(s)")
                    if s["sent"]?.intValue != 0 || s["received"]?.intValue != 0 { quiet = false }
                }
            }
        }
        #expect(quiet, "still exchanging after six full passes")
        let states = try c.names.map(c.state)
        #expect(states[0].count >= 70 && states[0] == states[1] && states[1] == states[2])
        for n in c.names { #expect(try c.run(n, ["audit", "verify"]).stdout.contains("intact")) }
        // Concurrent edits met: each node settled them the same way (owner-wins for penalties).
        let conflicts = try c.names.map { try c.run($0, ["audit", "list", "--limit", "1000"]).stdout.components(separatedBy: "conflict").count - 1 }
        #expect(conflicts.reduce(0, +) > 0, "no concurrent versions met; the test proved less than it says")
    }

    /// A sync killed midway, and a server killed under a pull: the next sync
    /// resumes from the cursors, nothing is lost or doubled.
    @Test func killedSyncOrServerResumes() throws {
        let c = try Cluster(["node-a", "node-b"])
        #expect(try CLI.run(["sample", "--type", "penalty", "--count", "2000", "--seed", "5", "-o", "node-a/p.ndjson"], in: c.dir).status == 0)
        #expect(try c.run("node-a", ["import", "node-a/p.ndjson"]).status == 0)
        // node-b has records of its own, so its syncs are killed in pushes too.
        #expect(try CLI.run(["sample", "--type", "violation_lead", "--count", "1500", "--seed", "6", "-o", "node-b/v.ndjson"], in: c.dir).status == 0)
        #expect(try c.run("node-b", ["import", "node-b/v.ndjson"]).status == 0)
        try c.serveAll()
        var killed = 0
        for _ in 0..<3 {
            let pid = try CLI.spawn(["sync", "--once", "--batch-size", "50", "--config", c.config("node-b")], in: c.dir)
            usleep(UInt32.random(in: 200_000...900_000))
            if CLI.kill(pid) { killed += 1 }
        }
        // The server goes away under a pull, and comes back.
        let pid = try CLI.spawn(["sync", "--once", "--batch-size", "50", "--config", c.config("node-b")], in: c.dir)
        usleep(300_000)
        c.stop("node-a")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try c.serve("node-a")
        let done = try c.run("node-b", ["sync", "--once", "--json"])
        #expect(done.status == 0, "\(done.stdout) \(done.stderr)")
        #expect(try c.state("node-a") == (try c.state("node-b")))
        #expect(try c.state("node-b").count == 3500)
        for n in c.names {
            let status = try JSONParser.parse(try c.run(n, ["status", "--json"]).stdout)
            #expect(status["records"]?["penalty"]?.intValue == 2000 && status["records"]?["violation_lead"]?.intValue == 1500)
            #expect(status["quarantined"]?.intValue == 0)
            #expect(try c.run(n, ["audit", "verify"]).stdout.contains("intact"))
        }
        #expect(killed >= 1, "no sync was still running when killed; the test proved nothing")
    }

    /// node-a with sample penalties, serving; node-b empty.
    func servingPenalties(_ count: Int, seed: Int) throws -> Cluster {
        let c = try Cluster(["node-a", "node-b"])
        #expect(try CLI.run(["sample", "--type", "penalty", "--count", "\(count)", "--seed", "\(seed)", "-o", "node-a/p.ndjson"], in: c.dir).status == 0)
        #expect(try c.run("node-a", ["import", "node-a/p.ndjson"]).status == 0)
        try c.serve("node-a")
        return c
    }

    /// More batches than one HTTP/2 connection takes: curl resets each finished
    /// stream and the server drops a connection after 200 resets, so the
    /// client moves to a new connection before that. 300 batches of one record.
    @Test func pullOfManyBatchesOverHTTP2() throws {
        let c = try servingPenalties(300, seed: 8)
        let r = try c.run("node-b", ["sync", "--once", "--pull-only", "--batch-size", "1", "--batches-per-request", "1", "--json"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let s = try JSONParser.parse(r.stdout).arrayValue?.first
        #expect(s?["http"] == "HTTP/2" && s?["received"]?.intValue == 300, "\(r.stdout)")
        // More requests than a connection takes before the server ends it.
        #expect((s?["requests"]?.intValue ?? 0) > 300, "\(r.stdout)")
        #expect(try c.state("node-b") == (try c.state("node-a")))
    }

    /// The network breaks in the middle of an answer of several batches: the
    /// batches that arrived whole are applied, the request is made again from
    /// the same cursor, and what it sends a second time is recognised and
    /// skipped, so every record arrives once and every batch is applied once.
    @Test func aCutInTheMiddleOfAnAnswerIsRetried() throws {
        let c = try servingPenalties(400, seed: 10)
        // node-b reaches node-a through a relay that breaks the first connection
        // after 40 KB: past the TLS handshake and the status answer, inside the
        // first answer of ten batches (about 5 KB each).
        let proxy = CuttingProxy(to: c.ports["node-a"]!, cutAfter: 40_000)
        defer { proxy.stop() }
        let config = c.dir + "/" + c.config("node-b")
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "https://127.0.0.1:\(c.ports["node-a"]!)", with: "https://127.0.0.1:\(proxy.port)")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let r = try c.run("node-b", ["sync", "--once", "--pull-only", "--batch-size", "20", "--batches-per-request", "10", "--json"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let s = try JSONParser.parse(r.stdout).arrayValue?.first
        #expect(s?["received"]?.intValue == 400 && s?["applied"]?.intValue == 400, "\(r.stdout)")
        // Unbroken it takes the status, two answers and the one finding nothing new.
        #expect((s?["requests"]?.intValue ?? 0) > 4 && proxy.connections >= 2, "\(r.stdout), \(proxy.connections) connections")
        #expect(try c.state("node-b") == (try c.state("node-a")))
        let received = try c.run("node-b", ["audit", "list", "--limit", "1000"]).lines.filter { $0.contains("batch-received") }
        #expect(received.count == 20, "\(received)")
    }

    /// A pull asks for several batches in one request and the peer sends them
    /// back to back, each signed and applied with its own cursor; the log's
    /// end comes inside an answer. Both audits show every batch.
    @Test func severalBatchesInOneAnswer() throws {
        let c = try servingPenalties(95, seed: 9)
        let r = try c.run("node-b", ["sync", "--once", "--pull-only", "--batch-size", "10", "--batches-per-request", "4", "--json"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let s = try JSONParser.parse(r.stdout).arrayValue?.first
        #expect(s?["received"]?.intValue == 95, "\(r.stdout)")
        // The status, three answers of up to four batches (the log ends in the third), and
        // the one that finds nothing new: 5 requests, where one batch each took 12.
        #expect(s?["requests"]?.intValue == 5, "\(r.stdout)")
        #expect(try c.state("node-b") == (try c.state("node-a")))
        let sent = try c.run("node-a", ["audit", "list", "--limit", "1000"]).lines.filter { $0.contains("batch-sent") }
        #expect(sent.count == 10, "\(sent)")
        // Applied batch by batch: the cursor stands at the end of node-a's log, and a second sync brings nothing.
        let again = try c.run("node-b", ["sync", "--once", "--pull-only", "--json"])
        #expect(try JSONParser.parse(again.stdout).arrayValue?.first?["received"]?.intValue == 0, "\(again.stdout)")
        let received = try c.run("node-b", ["audit", "list", "--limit", "1000"]).lines.filter { $0.contains("batch-received") }
        #expect(received.count == 10, "\(received)")
    }
}
