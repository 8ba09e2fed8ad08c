import Foundation
import HutongTesting
import Testing
@testable import Capture
@testable import Standard
@testable import Store
import JSON

enum CaptureFixtures {
    static let catalog = TestRepository.catalog

    static func store(_ node: String = "capture-test") throws -> SQLiteNodeStore {
        try SQLiteNodeStore.create(path: try TestRepository.temporaryDirectory("hutong-capture") + "/node.sqlite", nodeID: node, catalog: catalog)
    }

    static func lines(_ n: Int, seed: UInt64 = 3) throws -> [String] {
        var g = try SampleGenerator(type: "penalty", seed: seed)
        return (0..<n).map { _ in JSONWriter.string(g.next().record) }
    }
}

/// A source over lines held in memory, as a database outbox would yield rows:
/// in batches, each acknowledged once stored. It remembers what it was told.
struct LineSource: RecordSource {
    let lines: [String]
    let perBatch: Int
    var offset = 0
    var acknowledged: [SourcePosition] = []
    var name: String { "test source" }

    mutating func next() throws -> CapturedBatch? {
        guard offset < lines.count else { return nil }
        let end = min(lines.count, offset + perBatch)
        let items = (offset..<end).map { i in
            CapturedItem(json: ArraySlice(Array(lines[i].utf8)), reference: SourceReference(origin: "outbox", location: "row \(i + 1)"))
        }
        offset = end
        return CapturedBatch(items: items, position: SourcePosition(Int64(end)))
    }

    mutating func acknowledge(_ position: SourcePosition) throws { acknowledged.append(position) }
}

@Suite struct IntakeTests {
    @Test func storesValidRecordsQuarantinesTheRestAndAcknowledgesInOrder() throws {
        let store = try CaptureFixtures.store()
        var lines = try CaptureFixtures.lines(25)
        lines[4] = "{not json"
        lines[11] = lines[11].replacingOccurrences(of: "\"decision_number\"", with: "\"decision_no\"")
        var source = LineSource(lines: lines, perBatch: 10)
        let report = try Intake(store: store, catalog: CaptureFixtures.catalog, transactionSize: 7).run(&source)
        #expect(report.counts["written"] == 23)
        #expect(report.quarantined == 2)
        #expect(report.origin == "outbox")
        #expect(try store.info().recordsByType["penalty"] == 23)
        // Each quarantine entry names the source and where the item came from.
        let q = try store.quarantine(limit: 10)
        #expect(q.count == 2)
        #expect(q.allSatisfy { $0.source == "test source" })
        #expect(q.contains { $0.reason.hasPrefix("outbox:row 5: not JSON") })
        #expect(q.contains { $0.reason.hasPrefix("outbox:row 12:") && $0.reason.contains("decision_no") })
        // Positions only grow, and the last one acknowledges everything.
        #expect(source.acknowledged == source.acknowledged.sorted())
        #expect(source.acknowledged.last == SourcePosition(25))
    }

    /// What a source yields again after a restart (nothing was acknowledged)
    /// makes no new version.
    @Test func itemsYieldedAgainChangeNothing() throws {
        let store = try CaptureFixtures.store()
        let lines = try CaptureFixtures.lines(12)
        var first = LineSource(lines: lines, perBatch: 5)
        _ = try Intake(store: store, catalog: CaptureFixtures.catalog).run(&first)
        let before = try store.info().lastSequence
        var again = LineSource(lines: lines, perBatch: 5)
        let report = try Intake(store: store, catalog: CaptureFixtures.catalog).run(&again)
        #expect(report.counts["unchanged"] == 12)
        #expect(report.counts["written"] == nil)
        #expect(try store.info().lastSequence == before)
    }

    @Test func anExportWithABadHeaderIsRefusedWhole() throws {
        let store = try CaptureFixtures.store()
        let header = #"{"protocol":1,"batch_id":"not-a-uuid","node":"other-node","epoch":"x","seq_from":0,"schema_version":"1.0.0","created_at":"2026-01-01T00:00:00Z"}"#
        var source = LineSource(lines: [header] + (try CaptureFixtures.lines(3)), perBatch: 10)
        #expect(throws: IntakeError.self) { try Intake(store: store, catalog: CaptureFixtures.catalog).run(&source) }
        #expect(try store.info().recordsByType.isEmpty)
        #expect(source.acknowledged.isEmpty)
    }

    @Test func aFileSourceNamesFileAndLine() throws {
        let path = NSTemporaryDirectory() + "hutong-capture-\(UUID().uuidString).ndjson"
        try (try CaptureFixtures.lines(3) + ["[1, 2]"]).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var source = try FileSource(path: path)
        var references: [String] = [], positions: [SourcePosition] = []
        while let batch = try source.next() {
            references += batch.items.map(\.reference.description)
            positions.append(batch.position)
        }
        #expect(references == (1...4).map { "\(path):\($0)" })
        #expect(positions.last == SourcePosition(4))
        #expect(positions == positions.sorted())
        #expect(throws: IntakeError.self) { try FileSource(path: path + ".missing") }
    }
}
