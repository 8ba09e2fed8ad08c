import Foundation
import Standard
import Testing
import JSON

/// What a careless or hostile configuration of peers must not achieve, with
/// real nodes over mutual TLS: personal data leaving a node without a grant,
/// masked copies turned into broken records by a conflict, conflict reviews
/// that differ from node to node, a connection held open for ever.
@Suite(.serialized) struct PeerDefenceTests {
    /// Every record of `type` at a node, as JSON envelopes.
    func envelopes(_ c: Cluster, _ n: String, type: String? = nil) throws -> [JSONValue] {
        try c.run(n, ["records", "list", "--json", "--limit", "100000"] + (type.map { ["--type", $0] } ?? [])).lines.map { try JSONParser.parse($0) }
    }

    /// `hutong check` at a node says intact.
    func expectIntact(_ c: Cluster, _ n: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try c.run(n, ["check"])
        #expect(r.status == 0 && r.stdout.contains("intact"), "\(n): \(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
    }

    /// Sample records of a type made at a node, optionally with one field changed in every record.
    func importSample(_ c: Cluster, _ n: String, type: String, count: Int, seed: Int, change: (String, String)? = nil) throws {
        let file = "\(n)/\(type)-\(seed).ndjson"
        #expect(try CLI.run(["sample", "--type", type, "--count", "\(count)", "--seed", "\(seed)", "-o", file], in: c.dir).status == 0)
        if let (field, value) = change {
            let lines = try String(contentsOfFile: "\(c.dir)/\(file)", encoding: .utf8).split(separator: "\n").map { line -> String in
                var o = try JSONParser.parse(String(line)).objectValue!
                o[field] = .string(value)
                return JSONWriter.string(.object(o))
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: "\(c.dir)/\(file)", atomically: true, encoding: .utf8)
        }
        let r = try c.run(n, ["import", file])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    /// node-a lets node-b pull penalties only, personal information masked;
    /// node-b accepts every type from node-a, personal information included.
    /// A push from node-a sends exactly what a pull by node-b would get.
    @Test func aPushSendsOnlyWhatTheSendersGrantAllows() throws {
        let all = StandardCatalog.recordTypeNames.joined(separator: ",")
        let c = try Cluster(["node-a", "node-b"], grants: ["node-a>node-b": ["--grant-pull", "penalty", "--grant-push", all]])
        try importSample(c, "node-a", type: "penalty", count: 50, seed: 4)
        try importSample(c, "node-a", type: "violation_lead", count: 20, seed: 4)
        try c.serve("node-b")
        let r = try c.run("node-a", ["sync", "--once", "--push-only", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try JSONParser.parse(r.stdout).arrayValue?.first?["sent"] == 50, "\(r.stdout)")
        let held = try envelopes(c, "node-b")
        #expect(held.count == 50 && held.allSatisfy { $0["type"] == "penalty" }, "\(held.count) records")
        let masked = held.filter { !($0["masked"]?.arrayValue ?? []).isEmpty }
        #expect(!masked.isEmpty)
        // No whole ID number reached node-b, and every masked pointer holds masked text.
        let text = held.map { JSONWriter.string($0) }.joined(separator: "\n")
        #expect(text.range(of: #""number":"[0-9]{17}[0-9X]""#, options: .regularExpression) == nil)
        for e in masked {
            for p in e["masked"]!.arrayValue! {
                #expect(JSONPointerLookup.value(at: p.stringValue!, in: e["body"]!)?.stringValue?.contains("*") == true)
            }
        }
        try expectIntact(c, "node-b")
        // Widening node-a's own grant starts the push over, and what was left out or masked arrives.
        try c.editConfig("node-a", Cluster.widenedGrant)
        #expect(try c.run("node-a", ["sync", "--once", "--push-only"]).status == 0)
        let after = try envelopes(c, "node-b")
        #expect(after.count == 70 && after.allSatisfy { ($0["masked"]?.arrayValue ?? []).isEmpty }, "\(after.count)")
        #expect(try c.run("node-a", ["audit", "list", "--limit", "30"]).stdout.contains("cursor-reset"))
        try expectIntact(c, "node-b")
    }

    /// node-b holds masked copies of node-a's penalties and whole copies of
    /// node-c's concurrent versions of the same penalties. The conflicts it
    /// settles keep node-a's versions masked (their hash is the whole body's),
    /// so node-c takes them on from node-b without quarantining any, and then
    /// the whole copy from node-a replaces the masked one.
    @Test func maskedCopiesMeetingInAConflictStayMasked() throws {
        let c = try Cluster(["node-a", "node-b", "node-c"], grants: [
            "node-a>node-b": ["--grant-pull", "penalty", "--grant-push", "penalty"],
        ])
        // node-c's versions first, node-a's later: node-a's have the later clock and win.
        try importSample(c, "node-c", type: "penalty", count: 40, seed: 6, change: ("content", "依法予以处罚（丙）。"))
        try importSample(c, "node-a", type: "penalty", count: 40, seed: 6)
        try c.serveAll()
        #expect(try c.run("node-b", ["sync", "--once", "--peer", "node-a"]).status == 0)
        let masked = try envelopes(c, "node-b").filter { !($0["masked"]?.arrayValue ?? []).isEmpty }.count
        #expect(masked > 0)
        let r = try c.run("node-b", ["sync", "--once", "--peer", "node-c", "--pull-only", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((try JSONParser.parse(r.stdout).arrayValue?.first?["conflicts"]?.intValue ?? 0) == 40, "\(r.stdout)")
        // Still as many masked copies, each listed as masked.
        #expect(try envelopes(c, "node-b").filter { !($0["masked"]?.arrayValue ?? []).isEmpty }.count == masked)
        try expectIntact(c, "node-b")
        let pulled = try c.run("node-c", ["sync", "--once", "--peer", "node-b", "--pull-only", "--json"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(try JSONParser.parse(pulled.stdout).arrayValue?.first?["quarantined"] == 0, "\(pulled.stdout)")
        #expect(try JSONParser.parse(try c.run("node-c", ["status", "--json"]).stdout)["quarantined"] == 0)
        try expectIntact(c, "node-c")
        // node-a's whole versions reach node-c: nothing masked remains there, and all three agree.
        #expect(try c.run("node-c", ["sync", "--once", "--peer", "node-a"]).status == 0)
        #expect(try envelopes(c, "node-c").allSatisfy { ($0["masked"]?.arrayValue ?? []).isEmpty })
        try expectIntact(c, "node-c")
        #expect(try c.state("node-a") == (try c.state("node-c")))
        #expect(try c.run("node-b", ["sync", "--once"]).status == 0)
        #expect(try c.state("node-b") == (try c.state("node-c")))
    }

    /// Manual-policy conflicts in a ring of three, then local writes that
    /// supersede some of them at one node: after the syncs every node shows
    /// the same records as awaiting review, and its conflict rows agree.
    @Test func openConflictsAreTheSameRecordsOnEveryNode() throws {
        let c = try Cluster(["node-a", "node-b", "node-c"])
        for (i, n) in c.names.enumerated() {
            try importSample(c, n, type: "case_transfer", count: 15, seed: 11, change: ("remarks", "第\(i)稿"))
        }
        try c.serveAll()
        func syncAround() throws {
            for n in c.names { #expect(try c.run(n, ["sync", "--once"]).status == 0) }
        }
        func awaiting(_ n: String) throws -> (listed: Set<String>, open: Set<String>) {
            let listed = Set(try envelopes(c, n).filter { !($0["conflicts"]?.arrayValue ?? []).isEmpty }.compactMap { $0["id"]?.stringValue })
            let rows = try c.run(n, ["conflicts", "list", "--json"]).lines.compactMap { try JSONParser.parse($0)["record"]?.stringValue }
            let open = Set(rows)
            #expect(rows.count == open.count, "\(n): \(rows.count) open rows for \(open.count) records")
            return (listed, open)
        }
        try syncAround(); try syncAround()
        let first = try awaiting("node-a")
        #expect(first.listed.count == 15 && first.open == first.listed)
        // node-a settles five of them by editing the records (a local write dominates both versions).
        let bodies = try envelopes(c, "node-a").prefix(5).map { e -> String in
            var b = e["body"]!.objectValue!
            b["remarks"] = "甲方复核定稿"
            return JSONWriter.string(.object(b))
        }
        try (bodies.joined(separator: "\n") + "\n").write(toFile: "\(c.dir)/edit.ndjson", atomically: true, encoding: .utf8)
        #expect(try c.run("node-a", ["import", "edit.ndjson"]).status == 0)
        let local = try awaiting("node-a")
        #expect(local.listed.count == 10 && local.open == local.listed, "node-a: \(local.open.count) open, \(local.listed.count) listed")
        try syncAround(); try syncAround()
        let views = try c.names.map { try awaiting($0) }
        for (n, v) in zip(c.names, views) {
            #expect(v.open == v.listed, "\(n): \(v.open.count) open, \(v.listed.count) listed")
            #expect(v.listed == views[0].listed, "\(n) differs from node-a")
            try expectIntact(c, n)
        }
        #expect(views[0].listed.count == 10)
    }

    /// A caller that sends its request head a line at a time is cut off once
    /// the idle timeout has passed, however long it keeps sending.
    @Test func aSlowRequestHeadIsCutOff() throws {
        let c = try Cluster(["node-a", "node-b"], plainHTTP: true)
        try c.editConfig("node-a", [("idle_timeout_seconds = 30", "idle_timeout_seconds = 2")])
        try c.serve("node-a")
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(c.ports["node-a"]!).bigEndian
        let connected = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(connected == 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        signal(SIGPIPE, SIG_IGN)
        var closed = false
        let lines = ["GET /v1/health HTTP/1.1\r\n"] + (0..<40).map { "X-Slow-\($0): 1\r\n" }
        for line in lines where !closed {
            if send(fd, line, line.utf8.count, Int32(MSG_NOSIGNAL)) < 0 { closed = true; break }
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = recv(fd, &buffer, buffer.count, 0)
            // 0: the server closed; an answer would be a failure of this test too.
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { closed = true }
            #expect(n <= 0, "the server answered a request whose head never ended")
        }
        #expect(closed, "the connection was still open after 20 s of a header line every half second")
        // A well-behaved caller is still served.
        #expect(try c.run("node-b", ["peers", "check", "node-a"]).status == 0)
    }
}
