import Foundation
import Standard
import Testing
import JSON

/// A `hutong import` killed at random points (SIGKILL) leaves a consistent
/// store: whole transactions or nothing, an intact audit chain, no cursor
/// claimed early; repeating the import finishes the job without duplicates.
@Suite struct CrashTests {
    @Test func killedImportsLeaveAConsistentStore() throws {
        let dir = try CLI.temporaryDirectory()
        #expect(try CLI.run(["init", "--node-id", "node-a", "--dir", "a"], in: dir).status == 0)
        #expect(try CLI.run(["init", "--node-id", "node-b", "--dir", "b"], in: dir).status == 0)
        #expect(try CLI.run(["sample", "--type", "violation_lead", "--count", "3000", "--seed", "5", "-o", "l.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["import", "--config", "a/hutong.toml", "l.ndjson"], in: dir).status == 0)
        #expect(try CLI.run(["export", "--config", "a/hutong.toml", "-o", "a.ndjson"], in: dir).status == 0)
        let total = 3000

        var rng = SystemRandomNumberGenerator()
        var killedMidway = 0
        for _ in 0..<4 {
            let pid = try CLI.spawn(["import", "--config", "b/hutong.toml", "--transaction-size", "100", "a.ndjson"], in: dir)
            // Killed once some of its transactions are in, after a random extra wait.
            let start = Date()
            while Date().timeIntervalSince(start) < 30, CLI.isRunning(pid),
                  try appliedBatches(dir) == 0 { Thread.sleep(forTimeInterval: 0.01) }
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.2, using: &rng))
            if CLI.kill(pid) { killedMidway += 1 }
            let status = try JSONParser.parse(try CLI.run(["status", "--json", "--config", "b/hutong.toml"], in: dir).stdout)
            let n = Int(status["records"]?["violation_lead"]?.intValue ?? 0)
            // Transactions of 100: never a partial one.
            #expect(n % 100 == 0 || n == total, "\(n) records after a kill")
            // The pull cursor is stored only with the last batch.
            // (The push cursor may move past what came from that node: it is never sent back.)
            let pull = status["cursors"]?.arrayValue?.filter { $0["direction"]?.stringValue == "pull" } ?? []
            if n < total { #expect(pull.isEmpty, "\(pull)") }
            #expect(try CLI.run(["audit", "verify", "--config", "b/hutong.toml"], in: dir).status == 0)
        }
        let finish = try CLI.run(["import", "--config", "b/hutong.toml", "--transaction-size", "100", "a.ndjson"], in: dir)
        #expect(finish.status == 0, "\(finish.stderr)")
        let keys: (String) throws -> [String] = { config in
            try CLI.run(["records", "list", "--json", "--limit", "10000", "--config", config], in: dir).lines.map {
                let e = try JSONParser.parse($0)
                return "\(e["id"]!) \(JSONWriter.string(e["vv"]!)) \(e["hash"]!)"
            }
        }
        let atA = try keys("a/hutong.toml"), atB = try keys("b/hutong.toml")
        #expect(atA.count == total && atA == atB)
        let again = try CLI.run(["import", "--config", "b/hutong.toml", "--transaction-size", "100", "a.ndjson"], in: dir)
        #expect(again.stdout.contains("\(total) already imported"))
        // The kills must have landed inside imports, or nothing was tested.
        #expect(killedMidway > 0, "no import was killed midway")
    }

    /// Batches node-b's imports have committed so far, read beside the running import.
    func appliedBatches(_ dir: String) throws -> Int {
        let r = try CLI.run(["b/hutong.sqlite", "SELECT count(*) FROM audit WHERE kind = 'batch-received'"], in: dir, executable: "/usr/bin/sqlite3")
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
