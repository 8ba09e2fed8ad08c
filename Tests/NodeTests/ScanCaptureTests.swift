import Capture
import Foundation
import GRDB
import HutongTesting
import Store
import Testing
@testable import Node

/// Read-only capture (mode = "scan") from a real agency SQLite database:
/// nothing is written there, rows are compared by their content hash, and
/// a full scan finds deleted rows.
@Suite struct ScanCaptureTests {
    static func digest(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func aScanFindsInsertsUpdatesAndDeletesWithoutAlteringTheDatabase() throws {
        let (created, dir) = try NodeFixtures.create("node-s")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db)
        let node = try SQLiteCaptureTests.withSource(created, database: db, extra: "mode = \"scan\"")
        #expect(throws: NodeError.self) { try node.installCapture("xzcf") }

        let before = try Self.digest(db)
        let first = try #require(try node.captureOnce().first?.report)
        #expect(first.counts["written"] == 5 && first.quarantined == 3, "\(first)")
        // By type, as the daemon's counters have them: the mapping's type, also for the rows it refused.
        #expect(first.countsByType == ["penalty": ["written": 5]] && first.quarantinedByType == ["penalty": 3], "\(first.countsByType) \(first.quarantinedByType)")
        #expect(try Self.digest(db) == before, "a scan wrote into the agency's database")
        #expect(try node.store.sourceState("xzcf")?.position?.hasPrefix("scan ") == true)

        // Unchanged: nothing mapped again, no version, the quarantine not repeated.
        let sequence = try node.store.info().lastSequence
        let again = try #require(try node.captureOnce().first?.report)
        #expect(again.counts.isEmpty, "\(again)")
        #expect(again.quarantined == 3, "rows that fail are mapped again at each scan: \(again)")
        #expect(try node.store.quarantine(limit: 10).count == 3)
        #expect(try node.store.info().lastSequence == sequence)

        // The 1003 change is one the mapping trims away: mapped again, no new version.
        try AgencyTable.clerksDay(db, noChange: "CF_XDR_MC = CF_XDR_MC || '  '")
        let second = try #require(try node.captureOnce().first?.report)
        #expect(second.counts["written"] == 2 && second.counts["deleted"] == 1 && second.counts["unchanged"] == 1, "\(second.counts)")
        let stored = try node.store.records(type: "penalty", after: nil, limit: 100)
        #expect(stored.contains { $0.body["decision_number"] == "苏市监罚〔2023〕12号" && $0.body["fine_fen"] == 2_500_000 })
        #expect(stored.filter(\.deleted).count == 1)
        #expect(try node.store.sourceState("xzcf")?.rows == 5)
        #expect(try Self.digest(db) != before)
        let third = try #require(try node.captureOnce().first?.report)
        #expect(third.counts.isEmpty, "\(third)")
    }

    @Test func aWatermarkScanReadsOnlyNewerRowsAndAFullScanCatchesTheRest() throws {
        let (created, dir) = try NodeFixtures.create("node-w")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db)
        var node = try SQLiteCaptureTests.withSource(created, database: db, extra: """
            mode = "scan"
            watermark = "GXSJ"
            full_scan_seconds = 3600
            """)
        let first = try #require(try node.captureOnce().first?.report)
        #expect(first.counts["written"] == 5, "\(first)")
        let position = try #require(try node.store.sourceState("xzcf")?.position)
        #expect(position.hasSuffix("2023-05-20 16:00:00") || position.contains(" t:"), "\(position)")

        try DatabaseQueue(path: db).write { db in
            // Stamped later: the next scan reads it.
            try db.execute(sql: "UPDATE t_xzcf SET CF_NR_FK = 3, GXSJ = '2030-01-01 00:00:00' WHERE ID = 1001")
            // Not stamped (an application that forgets), and a deletion: only a full scan sees them.
            try db.execute(sql: "UPDATE t_xzcf SET CF_NR_FK = 4 WHERE ID = 1003")
            try db.execute(sql: "DELETE FROM t_xzcf WHERE ID = 1002")
        }
        let incremental = try #require(try node.captureOnce().first?.report)
        #expect(incremental.counts["written"] == 1 && incremental.counts["deleted"] == nil, "\(incremental)")
        #expect(incremental.quarantined == 0, "an incremental scan read rows older than its watermark: \(incremental)")
        #expect(try node.store.sourceState("xzcf")?.position?.hasSuffix("2030-01-01 00:00:00") == true)

        // A full scan is due after full_scan_seconds.
        let text = try String(contentsOf: node.configuration.file, encoding: .utf8)
        try text.replacingOccurrences(of: "full_scan_seconds = 3600", with: "full_scan_seconds = 1").write(to: node.configuration.file, atomically: true, encoding: .utf8)
        node = try Node.open(configurationPath: node.configuration.file.path, schemas: NodeFixtures.schemas)
        Thread.sleep(forTimeInterval: 1.1)
        let full = try #require(try node.captureOnce().first?.report)
        #expect(full.counts["written"] == 1 && full.counts["deleted"] == 1, "\(full)")
        let stored = try node.store.records(type: "penalty", after: nil, limit: 100)
        #expect(stored.contains { $0.body["fine_fen"] == 4_000_000 && !$0.deleted })
    }

    @Test func scanSettingsAreChecked() throws {
        let (created, dir) = try NodeFixtures.create("node-x")
        let db = dir + "/agency.sqlite"
        try AgencyTable.create(db)
        do {
            _ = try SQLiteCaptureTests.withSource(created, database: db, extra: "watermark = \"GXSJ\"")
            Issue.record("a watermark on a trigger source was accepted")
        } catch {
            #expect("\(error)".contains("watermark is for mode = \"scan\""), "\(error)")
        }
        let (created2, dir2) = try NodeFixtures.create("node-y")
        try AgencyTable.create(dir2 + "/agency.sqlite")
        let node = try SQLiteCaptureTests.withSource(created2, database: dir2 + "/agency.sqlite", extra: "mode = \"scan\"\nwatermark = \"GXSJJ\"")
        let run = try node.captureOnce()
        #expect(run[0].error?.contains("has no column GXSJJ") == true && run[0].error?.contains("GXSJ") == true, "\(run)")
    }
}
