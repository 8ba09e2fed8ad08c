import Foundation
import HutongTesting
import JSON
import Testing

/// `hutong map`, `hutong import --mapping`, `hutong inbox` and
/// `hutong quarantine retry` as an operator runs them, on the worked example.
@Suite struct MappingCommandTests {
    static let example = TestRepository.root.appendingPathComponent("deploy/examples/legacy-penalty").path

    /// A legacy export of `count` rows: organisations' penalties with distinct
    /// numbers, every tenth with a penalty kind no code list has.
    static func legacyCSV(_ count: Int) -> String {
        // Every column the example mapping reads; those left empty here are optional fields.
        var out = "ID,CF_WSH,CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_FRDB,CF_FR_ZJLX,CF_FR_ZJHM,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,CF_YXQ,CF_CFJG,CF_CFJGDM,XZQH,GXSJ,"
            + "CF_XDR_ZJLX,CF_XDR_ZJHM,CF_NR_WFFF,CF_NR_ZKDX,CF_GSJZQ,CF_SJLY,CF_SJLYDM,CF_ZT,BZ\r\n"
        for i in 1...count {
            let kinds = i % 10 == 0 ? "警告、罚没" : "警告、罚款"
            out += "\(i),苏市监罚〔２０２３〕\(i)号,苏州市恒达电器有限公司,1,91320505ma1xk3b73x,张伟,身份证,320505198503120419,销售不合格产品,\"当事人销售不合格产品，违反规定。\",《产品质量法》第四十九条,\(kinds),警告；罚款。,\(i % 7).5,2023年5月\(i % 28 + 1)日,2026/4/30,苏州市市场监督管理局,1132050001429533XR,320500,2023-06-01 09:30:00,,,,,,,,0,\r\n"
        }
        return out
    }

    @Test func previewAndTestTheExample() throws {
        let preview = try CLI.run(["map", "preview", "penalty.toml", "xzcf-2023.csv"], in: Self.example)
        #expect(preview.status == 1, "\(preview.stderr)")
        #expect(preview.stdout.contains("8 rows: 5 valid, 3 would be quarantined"))
        #expect(preview.stdout.contains("line 8 (ID=1006): would be quarantined: penalty_kinds"))
        // Personal values are masked unless asked for.
        #expect(!preview.stdout.contains("320505198503120419") && preview.stdout.contains("320505********0419"))
        let unmasked = try CLI.run(["map", "preview", "--unmasked", "--limit", "1", "penalty.toml", "xzcf-2023.csv"], in: Self.example)
        #expect(unmasked.stdout.contains("320505198503120419") && unmasked.status == 0)
        let json = try CLI.run(["map", "preview", "--format", "json", "penalty.toml", "xzcf-2023.csv"], in: Self.example)
        let rows = try json.lines.map { try JSONParser.parse($0) }
        #expect(rows.count == 8 && rows.filter { $0["valid"] == true }.count == 5)
        #expect(rows[0]["record"]?["fine_fen"] == 1_500_000)

        let test = try CLI.run(["map", "test", "--coverage", "penalty.toml"], in: Self.example)
        #expect(test.status == 0 && test.stdout.contains(" passed, 0 failed") && test.stdout.contains("coverage:"), "\(test.stdout)")
        let strict = try CLI.run(["map", "test", "--min-coverage", "100", "penalty.toml"], in: Self.example)
        #expect(strict.status == 1 && strict.stderr.contains("coverage below"))
    }

    /// A broken mapping is exit 2 with every problem and its line; nothing is read.
    @Test func aBrokenMappingIsNamed() throws {
        let dir = try CLI.temporaryDirectory()
        let text = try String(contentsOfFile: Self.example + "/penalty.toml", encoding: .utf8)
            .replacingOccurrences(of: "do = [\"date\"]", with: "do = [\"dat\"]")
        try text.write(toFile: dir + "/broken.toml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["map", "preview", "broken.toml", Self.example + "/xzcf-2023.csv"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("broken.toml:") && r.stderr.contains("unknown step \"dat\"") && r.stderr.contains("did you mean date?"), "\(r.stderr)")
        #expect(r.stderr.contains("problems in") || r.stderr.contains("problem in"))
    }

    /// Rows quarantined by a mapping are stored by `quarantine retry` once the mapping is fixed.
    @Test func retryAfterTheMappingIsFixed() throws {
        let dir = try CLI.temporaryDirectory()
        #expect(try CLI.run(["init", "--node-id", "node-r", "--dir", "n"], in: dir).status == 0)
        let mapping = dir + "/penalty.toml"
        try FileManager.default.copyItem(atPath: Self.example + "/penalty.toml", toPath: mapping)
        let imported = try CLI.run(["import", "--config", "n/hutong.toml", "--mapping", "penalty.toml", Self.example + "/xzcf-2023.csv"], in: dir)
        #expect(imported.status == 1 && imported.stdout.contains("5 written") && imported.stdout.contains("3 quarantined"), "\(imported.stdout)\(imported.stderr)")

        // Still broken: all three stay, tried twice now.
        let first = try CLI.run(["quarantine", "retry", "--config", "n/hutong.toml"], in: dir)
        #expect(first.status == 1 && first.stdout.contains("0 stored") && first.stdout.contains("3 still quarantined"), "\(first.stdout)\(first.stderr)")

        // 罚没 in this agency's data means 警告: the row of ID 1006 now maps.
        let fixed = try String(contentsOfFile: mapping, encoding: .utf8).replacingOccurrences(
            of: "do = [\"halfwidth\", \"split\", \"codes\"]", with: "do = [\"halfwidth\", \"split\", { codes = \"kinds\" }]")
            + "\n[codes.kinds]\nstandard = \"penalty-kind\"\nmap = { \"罚没\" = \"警告\" }\n"
        try fixed.write(toFile: mapping, atomically: true, encoding: .utf8)
        let second = try CLI.run(["quarantine", "retry", "--config", "n/hutong.toml"], in: dir)
        #expect(second.status == 1 && second.stdout.contains("1 stored") && second.stdout.contains("2 still quarantined"), "\(second.stdout)\(second.stderr)")
        let list = try CLI.run(["quarantine", "list", "--json", "--config", "n/hutong.toml"], in: dir).lines.map { try JSONParser.parse($0) }
        #expect(list.count == 2 && list.allSatisfy { $0["attempts"] == 3 && $0["mapping"]?.stringValue == mapping })
        let status = try JSONParser.parse(try CLI.run(["status", "--json", "--config", "n/hutong.toml"], in: dir).stdout)
        #expect(status["records"]?["penalty"] == 6)
        let audit = try CLI.run(["audit", "list", "--config", "n/hutong.toml"], in: dir).stdout
        #expect(audit.contains("quarantine-retried"))
    }

    /// An inbox takes each file whole, moves it with a report, leaves files
    /// being copied alone, and rejects one it cannot read; killed while it
    /// takes a file, it takes the file again without storing anything twice.
    @Test func anInboxKilledMidwayStoresNothingTwice() throws {
        let dir = try CLI.temporaryDirectory()
        #expect(try CLI.run(["init", "--node-id", "node-i", "--dir", "n"], in: dir).status == 0)
        try FileManager.default.createDirectory(atPath: dir + "/n/inbox", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.example + "/penalty.toml", toPath: dir + "/n/penalty.toml")
        let config = try String(contentsOfFile: dir + "/n/hutong.toml", encoding: .utf8)
            + "\n[[inbox]]\ndirectory = \"inbox\"\nmapping = \"penalty.toml\"\nsettle_seconds = 0\n"
        try config.write(toFile: dir + "/n/hutong.toml", atomically: true, encoding: .utf8)
        let total = 3_000
        try Self.legacyCSV(total).write(toFile: dir + "/n/inbox/big.csv", atomically: true, encoding: .utf8)
        try "ID,CF_WSH\n1,x\n".write(toFile: dir + "/n/inbox/copying.csv.part", atomically: true, encoding: .utf8)

        let pid = try CLI.spawn(["inbox", "--config", "n/hutong.toml", "--transaction-size", "100"], in: dir)
        let start = Date()
        while Date().timeIntervalSince(start) < 60, CLI.isRunning(pid), try stored(dir) < 500 { Thread.sleep(forTimeInterval: 0.01) }
        let killed = CLI.kill(pid)
        let before = try stored(dir)
        if killed {
            #expect(FileManager.default.fileExists(atPath: dir + "/n/inbox/big.csv"), "a file was moved before it was taken whole")
        }
        let again = try CLI.run(["inbox", "--config", "n/hutong.toml", "--transaction-size", "100"], in: dir)
        #expect(again.status == 1, "\(again.stdout)\(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/n/inbox/done/big.csv"))
        #expect(FileManager.default.fileExists(atPath: dir + "/n/inbox/copying.csv.part"))
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/n/inbox/done/big.report.json"))))
        #expect(report["quarantined"] == 300, "\(report)")
        let status = try JSONParser.parse(try CLI.run(["status", "--json", "--config", "n/hutong.toml"], in: dir).stdout)
        #expect(status["records"]?["penalty"] == 2_700)
        // One version per record: no row was stored twice.
        #expect(status["last_seq"] == 2_700, "\(status)")
        #expect(try CLI.run(["quarantine", "list", "--limit", "10000", "--json", "--config", "n/hutong.toml"], in: dir).lines.count == 300)
        #expect(killed && before < 2_700, "the kill did not land inside the file (\(before) stored)")

        // A file the mapping cannot read goes to rejected/, with the reason beside it.
        try "ID,CF_WSH\n1,x\n".write(toFile: dir + "/n/inbox/other.csv", atomically: true, encoding: .utf8)
        let third = try CLI.run(["inbox", "--config", "n/hutong.toml"], in: dir)
        #expect(third.status == 1 && third.stdout.contains("other.csv: rejected"), "\(third.stdout)")
        let rejected = try String(contentsOfFile: dir + "/n/inbox/rejected/other.report.json", encoding: .utf8)
        #expect(rejected.contains("CF_JDRQ"), "\(rejected)")
    }

    func stored(_ dir: String) throws -> Int {
        let r = try CLI.run(["n/hutong.sqlite", "SELECT count(*) FROM records"], in: dir, executable: "/usr/bin/sqlite3")
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
