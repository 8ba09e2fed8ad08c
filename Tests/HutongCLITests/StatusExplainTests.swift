import Foundation
import Testing

/// `hutong status` and `status --explain` as an operator uses them when
/// records do not arrive: each peer's state is read from the store (no
/// daemon needed), and the walk names the first broken link in words.
@Suite struct StatusExplainTests {
    @Test func explainNamesTheFirstBrokenLinkUntilThePeerHasEverything() throws {
        // node-a may give node-b penalties only; node-b is not running yet.
        let cluster = try Cluster(["node-a", "node-b"], grants: ["node-a>node-b": ["--grant-pull", "penalty", "--grant-push", "penalty"]])
        let dir = cluster.dir
        try cluster.addAgencySource(to: "node-a", install: false)

        // The triggers are missing: capture is the first broken link.
        var explained = try cluster.run("node-a", ["status", "--explain"])
        #expect(explained.status == 1 && explained.stdout.contains("FAIL penalty → node-b: the triggers of source xzcf are not installed: run `hutong capture install xzcf`"),
                "\(explained.stdout)\(explained.stderr)")
        #expect(try cluster.run("node-a", ["capture", "install", "xzcf"]).status == 0)
        #expect(try cluster.run("node-a", ["capture", "--once"]).status == 0)

        // Captured, never synced: node-b lacks five penalties, and no sync has run.
        explained = try cluster.run("node-a", ["status", "--explain", "--stale-after", "0"])
        #expect(explained.status == 1 && explained.stdout.contains("FAIL penalty → node-b: node-b lacks 5 penalty changes, the oldest")
                && explained.stdout.contains("because no sync with node-b has run yet"), "\(explained.stdout)")
        // The walk under the failing line, link by link, up to the break.
        #expect(explained.stdout.contains("✓ capture: source xzcf read to the end") && explained.stdout.contains("✓ grant: node-b may have penalty")
                && explained.stdout.contains("✗ cursor: node-b lacks 5 penalty changes"), "\(explained.stdout)")

        // node-b down: the sync fails, and the explanation says so.
        #expect(try cluster.run("node-a", ["sync", "--once"]).status == 3)
        explained = try cluster.run("node-a", ["status", "--explain", "--stale-after", "0"])
        #expect(explained.status == 1 && explained.stdout.contains("because syncs with node-b have failed since") && explained.stdout.contains("node-b has never called here"),
                "\(explained.stdout)")
        var status = try cluster.run("node-a", ["status"])
        #expect(status.stdout.contains("peer node-b (https://127.0.0.1:") && status.stdout.contains("lacks 5 changes") && status.stdout.contains("failing since"), "\(status.stdout)")

        // node-b up: one sync, and every link works; each side knows of the other.
        try cluster.serve("node-b")
        #expect(try cluster.run("node-a", ["sync", "--once"]).status == 0)
        explained = try cluster.run("node-a", ["status", "--explain", "--stale-after", "0"])
        #expect(explained.status == 0 && explained.stdout.contains("ok   penalty → node-b: syncing") && !explained.stdout.contains("FAIL"), "\(explained.stdout)")
        status = try cluster.run("node-a", ["status"])
        #expect(status.stdout.contains("has every change") && !status.stdout.contains("last sync never") && !status.stdout.contains("failing"), "\(status.stdout)")
        let b = try cluster.run("node-b", ["status", "--json"])
        #expect(b.stdout.contains(#""last_called":"20"#) && b.stdout.contains(#""last_sync":null"#), "node-b saw node-a call: \(b.stdout)")

        // A row the mapping cannot take: still syncing, with a note to look at the quarantine.
        try CaptureCommandTests.clerk("agency/agency.sqlite", "UPDATE t_xzcf SET CF_JDRQ = '2023年2月30日' WHERE ID = 1002", in: dir)
        #expect(try cluster.run("node-a", ["capture", "--once"]).status == 1)
        explained = try cluster.run("node-a", ["status", "--explain"])
        #expect(explained.status == 0 && explained.stdout.contains("note penalty → node-b: syncing; but 1 rows of source xzcf are quarantined"), "\(explained.stdout)")
        let json = try cluster.run("node-a", ["status", "--explain", "--json"])
        #expect(json.stdout.contains(#""stage":"mapping","state":"warning""#), "\(json.stdout)")
    }
}
