import Foundation
import HutongTesting
import GRDB
import Testing
@testable import Replication
@testable import Standard
@testable import Store

@Suite struct PushCursorTests {
    typealias F = StoreFixtures

    /// What was just received from a peer is never sent back to it, so the push
    /// cursor moves past it — unless something of our own waits before it.
    @Test(arguments: StoreFixtures.Backend.allCases) func aPushCursorSkipsWhatCameFromThatPeer(backend: StoreFixtures.Backend) throws {
        let a = try F.store("node-a", backend), b = try F.store("node-b", backend)
        for body in try F.samples("penalty", 5) { _ = try a.write(type: "penalty", body: body) }
        try F.sync(a, to: b)
        let skipped = try #require(try b.cursor(peer: "node-a", direction: .push))
        #expect(skipped.sequence == 5 && skipped.epoch == b.epoch)
        #expect(try b.changes(since: skipped.sequence, excludingPeer: "node-a", limit: 100).versions.isEmpty)
        // A local write now waits for node-a: the cursor stays before it.
        _ = try b.write(type: "penalty", body: try F.samples("penalty", 1, seed: 9)[0])
        for body in try F.samples("penalty", 3, seed: 4) { _ = try a.write(type: "penalty", body: body) }
        try F.sync(a, to: b)
        #expect(try b.cursor(peer: "node-a", direction: .push)?.sequence == 5)
        #expect(try b.changes(since: 5, excludingPeer: "node-a", limit: 100).versions.count == 1)
    }

    /// Batches applied together in one transaction are each what they would be
    /// alone: own outcomes, batch id, audit entry and cursor, and the push
    /// cursor skips each in turn.
    /// After a batch of new records the next is applied without looking its
    /// records up: versions of stored records in it must come out as when looked up.
    @Test(arguments: StoreFixtures.Backend.allCases) func aBatchAfterANewOneMeetsStoredRecords(backend: StoreFixtures.Backend) throws {
        let a = try F.store("node-a", backend), c = try F.store("node-c", backend)
        let bodies = try F.samples("penalty", 12)
        let firsts = try bodies[0..<10].map { try #require(try a.write(type: "penalty", body: $0)) }
        try F.sync(a, to: c)
        func edited(_ s: any NodeStore, _ i: Int, _ remark: String) throws -> Envelope {
            var b = bodies[i].objectValue!
            b["remarks"] = .string(remark)
            return try #require(try s.write(type: "penalty", body: .object(b)))
        }
        let seconds = try (0..<3).map { try edited(a, $0, "第二版") }
        let concurrent = try edited(c, 1, "另一版")  // concurrent with seconds[1]
        let news = try bodies[10..<12].map { try #require(try a.write(type: "penalty", body: $0)) }
        let second = [seconds[0], news[0], firsts[4], concurrent, seconds[1], firsts[2], news[1], seconds[2], seconds[2]]
        let third = [firsts[5], seconds[0]]
        let batches = [firsts, second, third].enumerated().map { IncomingBatch(peer: "node-a", batchID: "b\($0.offset)", versions: $0.element) }
        let together = try F.store("node-b", backend), apart = try F.store("node-b", backend)
        let one = try together.apply(batches)
        let each = try batches.map { try apart.apply([$0])[0] }
        #expect(one.map(\.outcomes) == each.map(\.outcomes))
        #expect(each[1].outcomes.contains(.conflict) && each[1].outcomes.contains(.alreadyHad))
        #expect(try F.state(together) == F.state(apart))
        #expect(try together.info().lastSequence == apart.info().lastSequence)
        #expect(try together.info().openConflicts == apart.info().openConflicts)
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func severalBatchesInOneTransaction(backend: StoreFixtures.Backend) throws {
        let a = try F.store("node-a", backend), b = try F.store("node-b", backend)
        for body in try F.samples("penalty", 30) { _ = try a.write(type: "penalty", body: body) }
        let batches = try stride(from: 0, to: 30, by: 10).map { since in
            let c = try a.changes(since: Int64(since), excludingPeer: nil, limit: 10, bodies: false)
            return IncomingBatch(peer: "node-a", batchID: "batch-\(since)", versions: c.versions,
                                 cursor: PeerCursor(peer: "node-a", direction: .pull, epoch: c.epoch, sequence: c.lastSequence))
        }
        let results = try b.apply(batches)
        #expect(results.map { $0.count(.applied) } == [10, 10, 10] && results.allSatisfy { !$0.repeated })
        #expect(try F.state(a) == F.state(b))
        // Stored from text alone, bodies read back whole.
        #expect(try b.records(type: nil, after: nil, limit: 100).map(\.body) == a.records(type: nil, after: nil, limit: 100).map(\.body))
        #expect(try b.cursor(peer: "node-a", direction: .pull)?.sequence == 30)
        #expect(try b.cursor(peer: "node-a", direction: .push)?.sequence == 30)
        #expect(try b.auditEntries(limit: 10).filter { $0.kind == "batch-received" }.count == 3)
        let again = try b.apply(batches[1])
        #expect(again.repeated && again.outcomes == results[1].outcomes)
        #expect(try b.info().lastSequence == 30)
    }

    /// Groups given one after another share one transaction: all are kept,
    /// or, when giving the next group fails, none of those before it.
    @Test(arguments: StoreFixtures.Backend.allCases) func groupsFromASourceShareOneTransaction(backend: StoreFixtures.Backend) throws {
        let a = try F.store("node-a", backend)
        for body in try F.samples("penalty", 30) { _ = try a.write(type: "penalty", body: body) }
        let batches = try stride(from: 0, to: 30, by: 10).map { since in
            let c = try a.changes(since: Int64(since), excludingPeer: nil, limit: 10, bodies: false)
            return IncomingBatch(peer: "node-a", batchID: "batch-\(since)", versions: c.versions,
                                 cursor: PeerCursor(peer: "node-a", direction: .pull, epoch: c.epoch, sequence: c.lastSequence))
        }
        struct Cut: Error {}
        let failing = try F.store("node-b", backend)
        var given = 0
        #expect(throws: Cut.self) {
            _ = try failing.apply(from: {
                given += 1
                if given == 3 { throw Cut() }
                return [batches[given - 1]]
            })
        }
        #expect(try failing.info().lastSequence == 0 && failing.cursor(peer: "node-a", direction: .pull) == nil)
        #expect(try failing.auditEntries(limit: 10).allSatisfy { $0.kind != "batch-received" })

        let b = try F.store("node-b2", backend)
        var rest = [[batches[0]], [batches[1], batches[2]]]
        let results = try b.apply(from: { rest.isEmpty ? [] : rest.removeFirst() })
        #expect(results.map { $0.count(.applied) } == [10, 10, 10])
        #expect(try F.state(a) == F.state(b))
        #expect(try b.cursor(peer: "node-a", direction: .pull)?.sequence == 30)
        #expect(try b.auditEntries(limit: 10).filter { $0.kind == "batch-received" }.count == 3)
    }

    /// On PostgreSQL a long run of groups is stored in several transactions
    /// (what each stored is kept in memory until it commits), each group
    /// whole in one: a failure keeps the groups committed before it, with
    /// their cursor, and the pull goes on from there.
    @Test func aLongRunOfGroupsCommitsWholeGroupsOnPostgreSQL() throws {
        let a = try F.store("node-a")
        for body in try F.samples("penalty", 40) { _ = try a.write(type: "penalty", body: body) }
        let batches = try stride(from: 0, to: 40, by: 10).map { since in
            let c = try a.changes(since: Int64(since), excludingPeer: nil, limit: 10, bodies: false)
            return IncomingBatch(peer: "node-a", batchID: "batch-\(since)", versions: c.versions,
                                 cursor: PeerCursor(peer: "node-a", direction: .pull, epoch: c.epoch, sequence: c.lastSequence))
        }
        let b = try #require(try F.store("node-b", .postgres) as? PostgresNodeStore)
        b.transactionRecords = 15
        struct Cut: Error {}
        var given = 0
        #expect(throws: Cut.self) {
            _ = try b.apply(from: {
                given += 1
                if given == 4 { throw Cut() }
                // 10 versions, then 10 more (20 ≥ 15: committed); then 10 in the next transaction, cut short.
                return [batches[given - 1]]
            })
        }
        #expect(try b.info().lastSequence == 20 && b.cursor(peer: "node-a", direction: .pull)?.sequence == 20)
        var rest = [[batches[1]], [batches[2]], [batches[3]]]
        let results = try b.apply(from: { rest.isEmpty ? [] : rest.removeFirst() })
        #expect(results.map(\.repeated) == [true, false, false])
        #expect(try F.state(a) == F.state(b) && b.info().lastSequence == 40)
        #expect(try b.verifyAudit() == .intact(entries: 5))
    }

    /// Lines written straight from stored rows are the envelopes' own lines,
    /// byte for byte, for every kind of row: received from a peer (and left
    /// out for it), local with text that needs escaping, a tombstone, a
    /// manual conflict's losers and a masked copy; with the same reach.
    @Test(arguments: StoreFixtures.Backend.allCases) func changeLinesAreTheEnvelopesLines(backend: StoreFixtures.Backend) throws {
        let a = try F.store("node-a", backend), b = try F.store("node-b", backend)
        for body in try F.samples("penalty", 4) { _ = try a.write(type: "penalty", body: body) }
        let transfer = try F.samples("case_transfer", 1)[0]
        _ = try a.write(type: "case_transfer", body: transfer)
        try F.sync(a, to: b)
        var quoted = try F.samples("penalty", 1, seed: 7)[0].objectValue!
        quoted["remarks"] = "含\"引号\"、反斜杠\\和\n换行\u{1}"
        _ = try b.write(type: "penalty", body: .object(quoted))
        let officer = try #require(try b.write(type: "officer", body: try F.samples("officer", 1)[0]))
        _ = try b.delete(id: officer.id)
        var atA = transfer.objectValue!, atB = transfer.objectValue!
        atA["suspected_crime"] = "测试罪名甲"
        atB["suspected_crime"] = "测试罪名乙"
        _ = try a.write(type: "case_transfer", body: .object(atA))
        _ = try b.write(type: "case_transfer", body: .object(atB))
        try F.sync(a, to: b)
        var masked = try #require(try a.write(type: "penalty", body: try F.samples("penalty", 1, seed: 8)[0]))
        masked.masked = ["/party/legal_representative/name"]
        _ = try b.apply(IncomingBatch(peer: "node-c", batchID: "masked", versions: [masked]))
        let all = try b.changes(since: 0, excludingPeer: nil, limit: 100, bodies: false).versions
        #expect(all.contains { !$0.conflicts.isEmpty } && all.contains { !$0.masked.isEmpty } && all.contains(where: \.deleted))
        #expect(all.contains { $0.bodyText?.contains("\\\"引号") == true })

        for (since, peer, limit, types) in [(Int64(0), nil, 100, nil), (0, "node-a", 100, nil), (2, "node-c", 3, ["penalty"]),
                                            (0, nil, 100, ["officer", "case_transfer"]), (0, nil, 100, [String]())] as [(Int64, String?, Int, [String]?)] {
            let c = try b.changes(since: since, excludingPeer: peer, limit: limit, bodies: false)
            var expected: [UInt8] = []
            for v in c.versions where types?.contains(v.type) ?? true { expected += Array(v.line.utf8) + [0x0A] }
            var out: [UInt8] = [1, 2]
            let lines = try b.changeLines(since: since, excludingPeer: peer, limit: limit, including: { types?.contains($0) ?? true }, into: &out)
            #expect(out == [1, 2] + expected, "since \(since), excluding \(peer ?? "-"), types \(types ?? [])")
            #expect(lines == ChangeLines(lines: expected.filter { $0 == 0x0A }.count, scanned: c.versions.count, lastSequence: c.lastSequence))
        }
    }

    /// A batch that holds a record twice (or more) ends as the same versions
    /// applied one batch each: every later copy is merged over the one before
    /// it, whether the record was stored before the batch or not.
    @Test(arguments: StoreFixtures.Backend.allCases) func aRecordTwiceInOneBatch(backend: StoreFixtures.Backend) throws {
        let a = try F.store("node-a", backend)
        let body = try F.samples("penalty", 1)[0]
        let v1 = try #require(try a.write(type: "penalty", body: body))
        var edited = body.objectValue!
        edited["remarks"] = "第二版"
        let v2 = try #require(try a.write(type: "penalty", body: .object(edited)))
        let other = try #require(try a.write(type: "penalty", body: try F.samples("penalty", 1, seed: 3)[0]))
        for (order, storedFirst) in [([v1, v2], false), ([v2, v1], false), ([v1, other, v2, v2], false), ([v2, v1, v2], true), ([v1, v1], true)] {
            let together = try F.store("node-b", backend), apart = try F.store("node-b", backend)
            if storedFirst {
                for s in [together, apart] { _ = try s.apply(IncomingBatch(peer: "node-a", batchID: "first", versions: [v1])) }
            }
            let one = try together.apply(IncomingBatch(peer: "node-a", batchID: "one", versions: order))
            let each = try order.enumerated().map { try apart.apply(IncomingBatch(peer: "node-a", batchID: "b\($0.offset)", versions: [$0.element])).outcomes[0] }
            #expect(one.outcomes == each, "\(order.map { $0.vv.description })")
            #expect(try F.state(together) == F.state(apart))
            #expect(try together.record(id: v1.id)?.vv == v2.vv || !order.contains(v2))
            #expect(try together.info().lastSequence == apart.info().lastSequence)
        }
    }
}
