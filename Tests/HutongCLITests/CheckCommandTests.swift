import Foundation
import Standard
import Testing
import JSON

/// `hutong check` on a real store, intact and then damaged behind the node's
/// back (with the sqlite3 shell): every kind of damage is named, with its record.
@Suite struct CheckCommandTests {
    @Test func namesEveryKindOfDamage() throws {
        let dir = try CLI.temporaryDirectory()
        #expect(try CLI.run(["init", "--node-id", "bj-amr", "--dir", "bj-amr"], in: dir).status == 0)
        let config = ["--config", "bj-amr/hutong.toml"]
        for (type, n) in [("penalty", 30), ("violation_lead", 10)] {
            #expect(try CLI.run(["sample", "--type", type, "--count", "\(n)", "--seed", "3", "-o", "\(type).ndjson"], in: dir).status == 0)
            #expect(try CLI.run(["import", "\(type).ndjson"] + config, in: dir).status == 0)
        }
        let intact = try CLI.run(["check"] + config, in: dir)
        #expect(intact.status == 0 && intact.stdout.contains("intact: 40 records"), "\(intact.stdout)\(intact.stderr)")
        let ids = try CLI.run(["records", "list", "--json", "--type", "penalty"] + config, in: dir).lines.map {
            try JSONParser.parse($0)["id"]!.stringValue!
        }
        try #require(ids.count == 30)
        let sql = """
            UPDATE records SET hash = '\(String(repeating: "0", count: 64))' WHERE id = '\(ids[0])';
            UPDATE records SET masked = '[""]' WHERE id = '\(ids[1])';
            UPDATE records SET masked = '["/violation_facts"]' WHERE id = '\(ids[2])';
            UPDATE records SET vv = '{"bj-amr":9223372036854775807}' WHERE id = '\(ids[3])';
            UPDATE records SET body = replace(body, '"region":', '"regions":') WHERE id = '\(ids[4])';
            INSERT INTO conflicts (record_id, type, policy, winner, loser, detected_at)
                SELECT id, type, 'manual', e, e, '2026-01-01T00:00:00Z' FROM (SELECT id, type, json_object('id', id, 'type', type, 'owner', owner,
                    'vv', json(vv), 'hlc', hlc, 'writer', writer, 'deleted', json('false'), 'hash', hash, 'body', json(body)) AS e
                    FROM records WHERE id = '\(ids[5])');
            UPDATE audit SET detail = 'rewritten' WHERE seq = 1;
            """
        let shell = try CLI.run(["bj-amr/hutong.sqlite", sql], in: dir, executable: "/usr/bin/sqlite3")
        try #require(shell.status == 0, "sqlite3: \(shell.stderr)")
        let damaged = try CLI.run(["check"] + config, in: dir)
        #expect(damaged.status == 1 && damaged.stderr.contains("problems in 40 records"), "\(damaged.stdout)\(damaged.stderr)")
        let lines = damaged.lines
        for (id, what) in [(ids[0], "hash"), (ids[1], "not a personal field"), (ids[2], "not a personal field"), (ids[3], "cannot be read"),
                           (ids[4], "not valid"), (ids[5], "is open, but the record lists no losing versions")] {
            #expect(lines.contains { $0.contains(id) && $0.contains(what) }, "\(id): \(what) not reported in \(lines)")
        }
        #expect(lines.contains { $0.contains("audit log broken at entry 1") })
    }
}
