import Foundation
import Standard
import Testing
import JSON

/// Grants changed after syncs have run, and plain HTTP on loopback.
@Suite(.serialized) struct GrantTests {
    /// node-a first lets node-b pull penalties only, masked; then the operator
    /// widens the grant to leads and personal information. What was left out
    /// (or masked) before must arrive at the next sync.
    @Test func aWidenedGrantSendsWhatWasLeftOut() throws {
        let all = StandardCatalog.recordTypeNames.joined(separator: ",")
        let c = try Cluster(["node-a", "node-b"], grants: ["node-a>node-b": ["--grant-pull", "penalty", "--grant-push", all]])
        for (type, n) in [("penalty", 300), ("violation_lead", 200)] {
            #expect(try CLI.run(["sample", "--type", type, "--count", "\(n)", "--seed", "9", "-o", "\(type).ndjson"], in: c.dir).status == 0)
            #expect(try c.run("node-a", ["import", "\(type).ndjson"]).status == 0)
        }
        try c.serve("node-a")
        #expect(try c.run("node-b", ["sync", "--once"]).status == 0)
        func held() throws -> (penalties: Int64, leads: Int64, masked: Int) {
            let status = try JSONParser.parse(try c.run("node-b", ["status", "--json"]).stdout)
            let masked = try c.run("node-b", ["records", "list", "--json", "--limit", "100000"]).lines.filter {
                !(try JSONParser.parse($0)["masked"]?.arrayValue ?? []).isEmpty
            }.count
            return (status["records"]?["penalty"]?.intValue ?? 0, status["records"]?["violation_lead"]?.intValue ?? 0, masked)
        }
        let before = try held()
        #expect(before.penalties == 300 && before.leads == 0 && before.masked > 0)
        // The operator of node-a widens the grant and restarts the server.
        c.stop("node-a")
        try c.editConfig("node-a", Cluster.widenedGrant)
        try c.serve("node-a")
        let r = try c.run("node-b", ["sync", "--once", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let after = try held()
        #expect(after.penalties == 300 && after.leads == 200 && after.masked == 0, "\(after)")
        #expect(try c.run("node-b", ["audit", "list", "--limit", "50"]).stdout.contains("cursor-reset"))
        // Unchanged grants: the next sync moves nothing and starts over nothing.
        let again = try JSONParser.parse(try c.run("node-b", ["sync", "--once", "--json"]).stdout).arrayValue?.first
        #expect(again?["received"] == 0 && again?["sent"] == 0)
        #expect(try c.run("node-b", ["audit", "list", "--limit", "1000"]).stdout.components(separatedBy: "cursor-reset").count - 1 == 1)
    }

    /// Without TLS (loopback only) the exchange is HTTP/1.1, and streamed
    /// uploads go chunked; several batches each way.
    @Test func plainHTTPOnLoopbackStreamsOverHTTP1() throws {
        let c = try Cluster(["node-a", "node-b"], plainHTTP: true)
        #expect(try CLI.run(["sample", "--type", "penalty", "--count", "1200", "--seed", "2", "-o", "p.ndjson"], in: c.dir).status == 0)
        #expect(try c.run("node-a", ["import", "p.ndjson"]).status == 0)
        #expect(try CLI.run(["sample", "--type", "violation_lead", "--count", "900", "--seed", "3", "-o", "v.ndjson"], in: c.dir).status == 0)
        #expect(try c.run("node-b", ["import", "v.ndjson"]).status == 0)
        try c.serve("node-a")
        let r = try c.run("node-b", ["sync", "--once", "--json", "--batch-size", "500"])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try JSONParser.parse(r.stdout).arrayValue?.first
        #expect(s?["http"] == "HTTP/1.1" && s?["sent"] == 900 && s?["received"] == 1200, "\(r.stdout)")
        #expect(try c.state("node-a") == (try c.state("node-b")))
        // Plain HTTP anywhere but loopback is refused, with the way out named.
        let exposed = try CLI.run(["init", "--node-id", "node-x", "--dir", "x", "--listen", "0.0.0.0:7443", "--plain-http"], in: c.dir)
        let served = exposed.status == 0 ? try CLI.run(["serve", "--config", "x/hutong.toml"], in: c.dir) : exposed
        #expect(served.status != 0 && served.stderr.contains("loopback"), "\(served.stderr)")
    }
}
