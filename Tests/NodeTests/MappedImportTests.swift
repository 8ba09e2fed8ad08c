import Foundation
import GRDB
import HutongTesting
import Normalise
import Testing
@testable import Node
import Standard

/// An agency's legacy export taken into a real node through the worked
/// example's mapping: valid rows stored, the rest quarantined with their line,
/// row key and reason, nothing stored twice, and the file's encoding irrelevant.
@Suite struct MappedImportTests {
    static let example = TestRepository.root.appendingPathComponent("deploy/examples/legacy-penalty")

    func mapping() throws -> Mapping {
        try Node.loadMapping(Self.example.appendingPathComponent("penalty.toml").path, schemas: NodeFixtures.schemas)
    }

    @Test func theExampleFileImports() throws {
        let (node, _) = try NodeFixtures.create("node-m")
        let csv = Self.example.appendingPathComponent("xzcf-2023.csv").path
        let report = try node.importFile(csv, mapping: try mapping())
        #expect(report.counts["written"] == 5 && report.quarantined == 3, "\(report)")
        let stored = try node.store.records(type: "penalty", after: nil, limit: 100)
        #expect(stored.count == 5)
        #expect(stored.contains { $0.body["decision_number"] == "苏市监罚〔2023〕12号" && $0.body["fine_fen"] == 1_500_000 })
        let q = try node.store.quarantine(limit: 10).map(\.reason)
        #expect(q.contains { $0.contains("xzcf-2023.csv:8 (ID=1006)") && $0.contains("penalty_kinds") && $0.contains("\"罚没\" is not in code table penalty-kind") && $0.contains("unknown-code") }, "\(q)")
        #expect(q.contains { $0.contains("(ID=1007)") && $0.contains("decision_date") && $0.contains("no-such-date") }, "\(q)")
        #expect(q.contains { $0.contains("(ID=1008)") && $0.contains("fine_fen") }, "\(q)")
        // The quarantined row is kept whole, so that it can be mapped again once fixed.
        let row = try #require(try node.store.quarantine(limit: 10).first { $0.reason.contains("ID=1006") })
        #expect(row.text.contains("\"CF_CFLB\":\"警告、罚没\""))
        // Personal values never appear in a reason.
        #expect(!q.joined().contains("320506199207182034"))

        // The same file again: nothing new is written.
        let again = try node.importFile(csv, mapping: try mapping())
        #expect(again.counts["unchanged"] == 5 && again.counts["written"] == nil, "\(again)")
        #expect(try node.store.info().lastSequence == 5)
    }

    /// A source fixed and read again: the rows stored now leave quarantine,
    /// the row still wrong stays, and the report says so.
    @Test func aFixedFileImportedAgainClearsItsQuarantinedRows() throws {
        let (node, dir) = try NodeFixtures.create("node-f")
        let csv = dir + "/xzcf.csv"
        let original = try String(contentsOf: Self.example.appendingPathComponent("xzcf-2023.csv"), encoding: .utf8)
        try original.write(toFile: csv, atomically: true, encoding: .utf8)
        let first = try node.importFile(csv, mapping: try mapping())
        #expect(first.quarantined == 3 && first.clearedFromQuarantine == 0)
        // The clerk fixes row 1006's unknown penalty kind, nothing else.
        try original.replacingOccurrences(of: "警告、罚没", with: "警告").write(toFile: csv, atomically: true, encoding: .utf8)
        let again = try node.importFile(csv, mapping: try mapping())
        #expect(again.counts["written"] == 1 && again.counts["unchanged"] == 5 && again.clearedFromQuarantine == 1, "\(again)")
        #expect(again.description.contains("1 stored now that were in quarantine"))
        let left = try node.store.quarantine(limit: 10).map(\.reason)
        #expect(left.count == 2 && !left.contains { $0.contains("ID=1006") }, "\(left)")
    }

    /// More quarantined rows than a page of the retry (500): after the mapping
    /// is fixed, every row it now maps is stored and leaves quarantine; the
    /// others stay with one more attempt.
    @Test func aRetryTakesEveryPage() throws {
        let (node, dir) = try NodeFixtures.create("node-p")
        let text = try String(contentsOf: Self.example.appendingPathComponent("xzcf-2023.csv"), encoding: .utf8)
        let scalars = text.unicodeScalars
        let headerEnd = try #require(scalars.firstIndex(of: "\n"))
        var body = String(scalars[scalars.index(after: headerEnd)...])
        if body.unicodeScalars.last != "\n" { body += "\r\n" }
        var csv = String(scalars[...headerEnd])
        for copy in 1...200 { csv += body.replacingOccurrences(of: "罚〔", with: "罚\(copy)〔") }
        let file = dir + "/xzcf-many.csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let mappingFile = dir + "/penalty.toml"
        try FileManager.default.copyItem(atPath: Self.example.appendingPathComponent("penalty.toml").path, toPath: mappingFile)
        let imported = try node.importFile(file, mapping: try Node.loadMapping(mappingFile, schemas: NodeFixtures.schemas))
        #expect(imported.counts["written"] == 1_000 && imported.quarantined == 600, "\(imported)")

        // 罚没 in this agency's data means 警告: the 200 rows like ID 1006 now map.
        let fixed = try String(contentsOfFile: mappingFile, encoding: .utf8).replacingOccurrences(
            of: "do = [\"halfwidth\", \"split\", \"codes\"]", with: "do = [\"halfwidth\", \"split\", { codes = \"kinds\" }]")
            + "\n[codes.kinds]\nstandard = \"penalty-kind\"\nmap = { \"罚没\" = \"警告\" }\n"
        try fixed.write(toFile: mappingFile, atomically: true, encoding: .utf8)
        let retry = try node.retryQuarantine()
        #expect(retry.stored == 200 && retry.unchanged == 0 && retry.stillQuarantined == 400, "\(retry)")
        let left = try node.store.quarantine(limit: 1_000)
        #expect(left.count == 400 && left.allSatisfy { $0.attempts == 2 && !$0.reason.contains("ID=1006") })
        #expect(try node.store.info().recordsByType["penalty"] == 1_200)
    }

    /// The same rows in GB18030 become the same records.
    @Test func aGB18030ExportGivesTheSameRecords() throws {
        let (node, dir) = try NodeFixtures.create("node-g")
        let text = try String(contentsOf: Self.example.appendingPathComponent("xzcf-2023.csv"), encoding: .utf8)
        let gb = dir + "/xzcf-gbk.csv"
        try #require(text.replacingOccurrences(of: "\u{FEFF}", with: "").data(using: CSVReader.gb18030)).write(to: URL(fileURLWithPath: gb))
        let report = try node.importFile(gb, mapping: try mapping())
        #expect(report.counts["written"] == 5, "\(report)")
        let (utf8Node, _) = try NodeFixtures.create("node-u")
        _ = try utf8Node.importFile(Self.example.appendingPathComponent("xzcf-2023.csv").path, mapping: try mapping())
        let a = try node.store.records(type: "penalty", after: nil, limit: 100).map(\.hash).sorted()
        let b = try utf8Node.store.records(type: "penalty", after: nil, limit: 100).map(\.hash).sorted()
        #expect(a == b && a.count == 5)
    }

    /// A file whose header lacks a column the mapping reads is refused whole,
    /// naming the column, the mapping's line and the closest header name.
    @Test func aMissingColumnRefusesTheFile() throws {
        let (node, dir) = try NodeFixtures.create("node-c")
        let text = try String(contentsOf: Self.example.appendingPathComponent("xzcf-2023.csv"), encoding: .utf8)
            .replacingOccurrences(of: "CF_JDRQ", with: "CF_JDRQ_")
        let path = dir + "/renamed.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try node.importFile(path, mapping: try mapping())
            Issue.record("a file without CF_JDRQ was imported")
        } catch {
            let message = "\(error)"
            #expect(message.contains("CF_JDRQ (") && message.contains("penalty.toml:") && message.contains("did you mean CF_JDRQ_?"), "\(message)")
        }
        #expect(try node.store.info().lastSequence == 0)
    }
}

/// A table of an agency's SQLite database read through the same mapping:
/// typed columns (a REAL amount in 万元, an INTEGER id) map exactly.
@Suite struct MappedTableTests {
    @Test func aLegacyTableImports() throws {
        let (node, dir) = try NodeFixtures.create("node-t")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db)
        let mapping = try Node.loadMapping(MappedImportTests.example.appendingPathComponent("penalty.toml").path, schemas: NodeFixtures.schemas)
        let report = try node.importTable("t_xzcf", of: db, mapping: mapping)
        #expect(report.counts["written"] == 5 && report.quarantined == 3, "\(report)")
        let stored = try node.store.records(type: "penalty", after: nil, limit: 100)
        // 0.0123 万元 from a REAL column is 12300 分, not 12299.
        #expect(stored.contains { $0.body["fine_fen"] == 12_300 })
        let q = try node.store.quarantine(limit: 10).map(\.reason)
        #expect(q.contains { $0.contains("agency.sqlite#t_xzcf:rowid 1006 (ID=1006)") && $0.contains("unknown-code") }, "\(q)")
        // The same table against a file of records gives the same records.
        let (fromFile, _) = try NodeFixtures.create("node-f")
        _ = try fromFile.importFile(MappedImportTests.example.appendingPathComponent("xzcf-2023.csv").path, mapping: mapping)
        #expect(try fromFile.store.records(type: "penalty", after: nil, limit: 100).map(\.hash).sorted() == stored.map(\.hash).sorted())
        // A table that is not there is named with the ones that are.
        do {
            _ = try node.importTable("t_xzfc", of: db, mapping: mapping)
            Issue.record("a table that is not there was read")
        } catch {
            #expect("\(error)".contains("no table t_xzfc; did you mean t_xzcf?"), "\(error)")
        }
    }
}

/// The worked example's legacy rows in a table of an agency's SQLite
/// database, typed as such tables are: ids INTEGER, amounts REAL (万元).
enum AgencyTable {
    static let csv = MappedImportTests.example.appendingPathComponent("xzcf-2023.csv").path

    /// The example's rows, as columns → values; `copies` > 1 repeats the
    /// valid ones, each copy with its own id and decision number.
    static func rows(copies: Int = 1) throws -> (header: [String], rows: [[String: String]]) {
        let file = try RowFile(path: csv)
        let header = try #require(file.header)
        var rows: [[String: String]] = []
        while let item = try file.next() {
            let row = try item.row.get()
            rows.append(Dictionary(uniqueKeysWithValues: header.map { ($0, row[$0].text) }))
        }
        guard copies > 1 else { return (header, rows) }
        let valid = rows.filter { !["1006", "1007", "1008"].contains($0["ID"]!) }
        var out: [[String: String]] = []
        for n in 0..<copies {
            for var row in valid {
                row["ID"] = String(10_000 + out.count)
                row["CF_WSH"] = row["CF_WSH"]!.replacingOccurrences(of: "号", with: "-\(n)号")
                out.append(row)
            }
        }
        return (header, out)
    }

    /// Creates table `table` in the database at `path` with `rows` (the example's by default).
    static func create(_ path: String, table: String = "t_xzcf", rows: (header: [String], rows: [[String: String]])? = nil) throws {
        let (header, rows) = try rows ?? self.rows()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            let columns = header.map { c in c == "ID" ? "ID INTEGER PRIMARY KEY" : ["CF_NR_FK", "CF_NR_WFFF"].contains(c) ? "\(c) REAL" : "\(c) TEXT" }
            try db.execute(sql: "CREATE TABLE \(table) (\(columns.joined(separator: ", ")))")
            for row in rows { try insert(row, header: header, into: table, db) }
        }
    }

    /// A clerk's day in t_xzcf: a fine corrected (1001), a decision added
    /// (2001), one withdrawn (1002), and a change to 1003 that makes no
    /// difference to its record (`noChange`).
    static func clerksDay(_ path: String, noChange: String) throws {
        let (header, rows) = try rows()
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE t_xzcf SET CF_NR_FK = 2.5 WHERE ID = 1001")
            var added = rows[1]
            added["ID"] = "2001"
            added["CF_WSH"] = "苏市监罚〔2023〕777号"
            try insert(added, header: header, into: "t_xzcf", db)
            try db.execute(sql: "DELETE FROM t_xzcf WHERE ID = 1002")
            try db.execute(sql: "UPDATE t_xzcf SET \(noChange) WHERE ID = 1003")
        }
    }

    static func insert(_ row: [String: String], header: [String], into table: String, _ db: Database) throws {
        let values: [DatabaseValueConvertible?] = header.map { c in
            let text = row[c] ?? ""
            if text.isEmpty { return nil }
            if c == "ID" { return Int64(text) }
            if ["CF_NR_FK", "CF_NR_WFFF"].contains(c) { return Double(text) ?? text }
            return text
        }
        try db.execute(sql: "INSERT INTO \(table) (\(header.joined(separator: ", "))) VALUES (\(header.map { _ in "?" }.joined(separator: ",")))", arguments: StatementArguments(values))
    }
}
