import Foundation
import Testing
@testable import Replication
@testable import Standard
@testable import Store
import JSON

/// The store's side of capture: a row's link to the record it became, the
/// tombstone a deleted row leaves, and the source's position kept in the
/// same transaction as the records.
@Suite struct CaptureLedgerTests {
    let type = StoreFixtures.catalog.recordTypes["penalty"]!

    func record(_ body: JSONValue) throws -> LocalRecord { try LocalRecord(type: type, body: body) }

    /// `body` with another decision number: the same row, a different natural key.
    func renumbered(_ body: JSONValue, _ number: String) -> JSONValue {
        guard case .object(var o) = body else { return body }
        o["decision_number"] = .string(number)
        return .object(o)
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func aDeletedRowLeavesATombstoneAndTheRowsPositionIsKept(backend: StoreFixtures.Backend) throws {
        let store = try StoreFixtures.store("node-l", backend)
        let bodies = try StoreFixtures.samples("penalty", 3)
        var changes = CapturedChanges(source: "xzcf")
        changes.rows = try bodies.enumerated().map { ("\($0.offset + 1)", try record($0.element)) }
        changes.position = "snapshot after i:3"
        let first = try store.capture(changes)
        #expect(first.written.allSatisfy { $0 != nil } && first.tombstones.isEmpty)
        #expect(try store.sourceState("xzcf")?.position == "snapshot after i:3")
        #expect(try store.sourceState("xzcf")?.rows == 3)

        // Row 2 deleted, row 1 read again unchanged: one tombstone, no new version of row 1.
        var next = CapturedChanges(source: "xzcf")
        next.rows = [("2", nil), ("1", try record(bodies[0]))]
        next.position = "outbox"
        let second = try store.capture(next)
        #expect(second.written == [nil])
        #expect(second.tombstones.count == 1)
        let id2 = try record(bodies[1]).id
        #expect(try store.record(id: id2)?.deleted == true)
        #expect(try store.sourceState("xzcf")?.rows == 2)
        #expect(try store.sourceState("xzcf")?.position == "outbox")

        // A key deleted again, or never seen, changes nothing.
        var again = CapturedChanges(source: "xzcf")
        again.rows = [("2", nil), ("99", nil)]
        #expect(try store.capture(again).tombstones.isEmpty)
        #expect(try store.info().lastSequence == 4)
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func aRowWhoseNaturalKeyChangesRetiresItsOldRecord(backend: StoreFixtures.Backend) throws {
        let store = try StoreFixtures.store("node-k", backend)
        let body = try StoreFixtures.samples("penalty", 1)[0]
        var changes = CapturedChanges(source: "xzcf")
        changes.rows = [("7", try record(body))]
        _ = try store.capture(changes)
        // The clerk corrects the decision number: a new record, the old one a tombstone.
        let fixed = renumbered(body, "京市监罚〔2023〕900号")
        changes.rows = [("7", try record(fixed))]
        let outcome = try store.capture(changes)
        #expect(outcome.written.count == 1 && outcome.written[0] != nil)
        #expect(outcome.tombstones.map(\.id) == [try record(body).id])
        #expect(try store.record(id: try record(fixed).id)?.deleted == false)
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func aRecordTwoRowsLeadToStaysUntilBothAreGone(backend: StoreFixtures.Backend) throws {
        let store = try StoreFixtures.store("node-d", backend)
        let body = try StoreFixtures.samples("penalty", 1)[0]
        var changes = CapturedChanges(source: "xzcf")
        // Two rows of the agency's table that hold the same decision (a duplicate row).
        changes.rows = [("1", try record(body)), ("2", try record(body))]
        _ = try store.capture(changes)
        changes.rows = [("1", nil)]
        #expect(try store.capture(changes).tombstones.isEmpty)
        changes.rows = [("2", nil)]
        #expect(try store.capture(changes).tombstones.count == 1)
    }

    /// The index of links by record is dropped while a first snapshot runs,
    /// and there whenever a record's links are looked up, and after.
    @Test(arguments: StoreFixtures.Backend.allCases) func aSnapshotIndexesItsLinksByRecordWhenItEnds(backend: StoreFixtures.Backend) throws {
        let store = try StoreFixtures.store("node-i", backend)
        let bodies = try StoreFixtures.samples("penalty", 3)
        let dropIndex = { try StoreFixtures.tamper(store, "DROP INDEX source_rows_record") }
        var page = CapturedChanges(source: "xzcf")
        page.snapshot = true
        page.rows = [("1", try record(bodies[0])), ("2", try record(bodies[1]))]
        page.position = "snapshot after i:2"
        _ = try store.capture(page)
        #expect(throws: (any Error).self, "no index while the snapshot runs") { try dropIndex() }

        // Row 3 holds row 1's decision, and row 1 then takes another number:
        // row 1's old record is looked up, found linked to row 3, and kept.
        page.rows = [("3", try record(bodies[0])), ("1", try record(renumbered(bodies[0], "京市监罚〔2023〕901号")))]
        page.position = "snapshot after i:3"
        #expect(try store.capture(page).tombstones.isEmpty)
        #expect(try store.record(id: try record(bodies[0]).id)?.deleted == false)
        try dropIndex()

        // The snapshot's last page makes it again.
        var last = CapturedChanges(source: "xzcf")
        last.rows = [("4", try record(bodies[2]))]
        last.position = "outbox"
        _ = try store.capture(last)
        try dropIndex()

        // Anything else makes it too; and a snapshot on a store with links keeps it.
        _ = try store.capture(CapturedChanges(source: "xzcf"))
        var other = CapturedChanges(source: "other")
        other.snapshot = true
        other.rows = [("1", try record(renumbered(bodies[2], "京市监罚〔2023〕902号")))]
        _ = try store.capture(other)
        try dropIndex()

        // Without the index as well as with it: row 3 deleted, its record goes.
        last.rows = [("3", nil)]
        #expect(try store.capture(last).tombstones.map(\.id) == [try record(bodies[0]).id])
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func aRowDeletedAndInsertedAgainInOneTransactionEndsStored(backend: StoreFixtures.Backend) throws {
        let store = try StoreFixtures.store("node-r", backend)
        let body = try StoreFixtures.samples("penalty", 1)[0]
        var changes = CapturedChanges(source: "xzcf")
        changes.rows = [("1", try record(body))]
        _ = try store.capture(changes)
        changes.rows = [("1", nil), ("1", try record(body))]
        _ = try store.capture(changes)
        #expect(try store.record(id: try record(body).id)?.deleted == false)
        #expect(try store.sourceState("xzcf")?.rows == 1)
        // And the other way round: inserted, then deleted, ends a tombstone.
        changes.rows = [("1", try record(body)), ("1", nil)]
        _ = try store.capture(changes)
        #expect(try store.record(id: try record(body).id)?.deleted == true)
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func aRunIsNotedAndAResetForgetsOnlyThePosition(backend: StoreFixtures.Backend) throws {
        let store = try StoreFixtures.store("node-n", backend)
        #expect(try store.sourceState("xzcf") == nil)
        var changes = CapturedChanges(source: "xzcf")
        changes.rows = [("1", try record(try StoreFixtures.samples("penalty", 1)[0]))]
        changes.position = "outbox"
        _ = try store.capture(changes)
        try store.noteSourceRun("xzcf", error: "source xzcf: database is locked")
        #expect(try store.sourceState("xzcf")?.lastError == "source xzcf: database is locked")
        try store.noteSourceRun("xzcf", error: nil)
        let state = try #require(try store.sourceState("xzcf"))
        #expect(state.lastError == nil && state.lastSuccess != nil)
        try store.resetSource("xzcf")
        #expect(try store.sourceState("xzcf")?.position == nil)
        #expect(try store.sourceState("xzcf")?.rows == 1)
    }
}
