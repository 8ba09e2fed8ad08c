import Foundation
import HutongTesting
import GRDB
import Testing
@testable import Replication
@testable import Standard
@testable import Store

enum StoreFixtures {
    static let repo = TestRepository.root
    static let catalog: StandardCatalog = try! StandardCatalog(directory: repo.appendingPathComponent("Schemas"))

    static func path() -> String {
        let dir = NSTemporaryDirectory() + "hutong-store-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/node.sqlite"
    }

    static func store(_ node: String) throws -> SQLiteNodeStore {
        try SQLiteNodeStore.create(path: path(), nodeID: node, catalog: catalog)
    }

    static func samples(_ type: String, _ n: Int, seed: UInt64 = 1) throws -> [JSONValue] {
        var g = try SampleGenerator(type: type, seed: seed)
        return (0..<n).map { _ in g.next().record }
    }

    /// Sends everything `from` has that `to` lacks, as a pull by `to` would.
    @discardableResult
    static func sync(_ from: SQLiteNodeStore, to: SQLiteNodeStore, batchID: String? = UUID().uuidString) throws -> BatchResult {
        let since = try to.cursor(peer: from.nodeID, direction: .pull).map { $0.epoch == from.epoch ? $0.sequence : 0 } ?? 0
        let c = try from.changes(since: since, excludingPeer: to.nodeID, limit: 100_000)
        return try to.apply(IncomingBatch(peer: from.nodeID, batchID: batchID, versions: c.versions,
                                          cursor: PeerCursor(peer: from.nodeID, direction: .pull, epoch: c.epoch, sequence: c.lastSequence)))
    }

    static func state(_ s: SQLiteNodeStore) throws -> [String] {
        try s.records(type: nil, after: nil, limit: 1_000_000).map(\.convergenceKey)
    }
}

@Suite struct StoreTests {
    typealias F = StoreFixtures

    @Test func createOpenAndRefuse() throws {
        let path = F.path()
        let s = try SQLiteNodeStore.create(path: path, nodeID: "bj-amr", catalog: F.catalog)
        #expect(try s.info().nodeID == "bj-amr")
        #expect(throws: StoreError.self) { try SQLiteNodeStore.create(path: path, nodeID: "other", catalog: F.catalog) }
        #expect(throws: StoreError.self) { try SQLiteNodeStore.open(path: path + "-missing", catalog: F.catalog) }
        _ = try s.write(type: "penalty", body: try F.samples("penalty", 1)[0])
        let reopened = try SQLiteNodeStore.open(path: path, catalog: F.catalog)
        #expect(reopened.epoch == s.epoch && reopened.nodeID == "bj-amr")
        #expect(try reopened.info().recordsByType["penalty"] == 1)
    }

    @Test func localWritesMakeVersionsOnlyOnChange() throws {
        let s = try F.store("a")
        var body = try F.samples("penalty", 1)[0].objectValue!
        let v1 = try #require(try s.write(type: "penalty", body: .object(body)))
        #expect(try s.write(type: "penalty", body: .object(body)) == nil)
        body["content"] = "警告。"
        let v2 = try #require(try s.write(type: "penalty", body: .object(body)))
        #expect(v2.id == v1.id && v2.vv == VersionVector(["a": 2]) && v2.hlc > v1.hlc)
        let gone = try #require(try s.delete(id: v1.id))
        #expect(gone.deleted && gone.vv == VersionVector(["a": 3]))
        #expect(try s.info().lastSequence == 3 && s.info().tombstones == 1)
        #expect(throws: StoreError.self) { try s.write(type: "penalty", body: ["type": "penalty"]) }
    }

    @Test func batchesAreIdempotentAndCursorsAdvance() throws {
        let a = try F.store("a"), b = try F.store("b")
        for body in try F.samples("penalty", 50) { _ = try a.write(type: "penalty", body: body) }
        let first = try F.sync(a, to: b, batchID: "batch-1")
        #expect(first.count(.applied) == 50 && !first.repeated)
        let again = try b.apply(IncomingBatch(peer: "a", batchID: "batch-1", versions: try a.changes(since: 0, excludingPeer: nil, limit: 100).versions))
        #expect(again.repeated && again == BatchResult(outcomes: first.outcomes, repeated: true))
        #expect(try b.info().lastSequence == 50)
        #expect(try b.cursor(peer: "a", direction: .pull)?.sequence == 50)
        // B sends nothing back to A: everything it has came from A; the cursor still moves.
        let back = try b.changes(since: 0, excludingPeer: "a", limit: 100)
        #expect(back.versions.isEmpty && back.lastSequence == 50)
        #expect(try F.state(a) == F.state(b))
    }

    @Test func ownerWinsConflictConverges() throws {
        let a = try F.store("a"), b = try F.store("b")
        let body = try F.samples("penalty", 1)[0]
        let original = try #require(try a.write(type: "penalty", body: body))
        try F.sync(a, to: b)
        var atA = body.objectValue!, atB = body.objectValue!
        atA["content"] = "测试内容甲。"
        atB["content"] = "测试内容乙。"
        _ = try b.write(type: "penalty", body: .object(atB))  // B edits later …
        Thread.sleep(forTimeInterval: 0.01)
        _ = try a.write(type: "penalty", body: .object(atA))
        let atAResult = try F.sync(b, to: a)
        let atBResult = try F.sync(a, to: b)
        // A finds the conflict; its merged version then dominates B's, so B just applies it.
        #expect(atAResult.count(.conflict) == 1 && atBResult.count(.applied) == 1)
        try F.sync(a, to: b); try F.sync(b, to: a)
        #expect(try F.state(a) == F.state(b))
        // owner-wins: the owner's (A's) version is kept, the loser is in the conflicts table.
        #expect(try a.record(id: original.id)?.body["content"] == "测试内容甲。")
        #expect(try a.conflicts(openOnly: false).first?.loser.body["content"] == "测试内容乙。")
        #expect(try a.info().openConflicts == 0)  // settled by policy, not awaiting review
    }

    @Test func manualConflictIsFlaggedResolvedAndPropagated() throws {
        let a = try F.store("a"), b = try F.store("b")
        let body = try F.samples("case_transfer", 1)[0]
        let original = try #require(try a.write(type: "case_transfer", body: body))
        try F.sync(a, to: b)
        var atA = body.objectValue!, atB = body.objectValue!
        atA["suspected_crime"] = "测试罪名甲"
        atB["suspected_crime"] = "测试罪名乙"
        _ = try a.write(type: "case_transfer", body: .object(atA))
        _ = try b.write(type: "case_transfer", body: .object(atB))
        try F.sync(a, to: b); try F.sync(b, to: a)
        #expect(try F.state(a) == F.state(b))
        let open = try a.conflicts(openOnly: true)
        let bOpen = try b.info().openConflicts
        #expect(open.count == 1 && bOpen == 1)
        #expect(try a.record(id: original.id)?.conflicts.count == 1)
        // The operator at B keeps A's version.
        let resolved = try b.resolveConflict(id: try b.conflicts(openOnly: true)[0].id, body: .object(atA))
        #expect(resolved.conflicts.isEmpty && resolved.body["suspected_crime"] == "测试罪名甲")
        try F.sync(b, to: a)
        #expect(try F.state(a) == F.state(b))
        #expect(try a.info().openConflicts == 0 && b.info().openConflicts == 0)
    }

    @Test func tombstonesReplicateAndArePurgedAfterEveryPeer() throws {
        let a = try F.store("a"), b = try F.store("b")
        let e = try #require(try a.write(type: "officer", body: try F.samples("officer", 1)[0]))
        try F.sync(a, to: b)
        _ = try a.delete(id: e.id)
        try F.sync(a, to: b)
        #expect(try b.record(id: e.id)?.deleted == true)
        #expect(try a.purgeTombstones(peers: ["b"]) == 0)  // B has not acknowledged yet
        try a.setCursor(PeerCursor(peer: "b", direction: .push, epoch: a.epoch, sequence: try a.info().lastSequence))
        #expect(try a.purgeTombstones(peers: ["b"]) == 1)
        #expect(try a.record(id: e.id) == nil)
    }

    @Test func rejectedAndSkewedVersionsGoToQuarantine() throws {
        let a = try F.store("a"), b = try F.store("b")
        var e = try #require(try a.write(type: "agency", body: try F.samples("agency", 1)[0]))
        e.hlc = HLCTimestamp(millis: StoreClock.wallMillis() + 3_600_000)
        let r = try b.apply(IncomingBatch(peer: "a", batchID: "x", versions: [e],
                                          rejected: [.init(text: "{\"type\":\"agency\"}", reason: "/name: missing required field")]))
        #expect(r.outcomes == [.rejected, .rejected])
        let q = try b.quarantine(limit: 10)
        #expect(q.count == 2 && q.contains { $0.reason.contains("ahead of ours") } && q.contains { $0.reason.contains("/name") })
        #expect(try b.record(id: e.id) == nil)
    }

    @Test func auditChainDetectsTampering() throws {
        let a = try F.store("a"), b = try F.store("b")
        for body in try F.samples("matter", 3) { _ = try a.write(type: "matter", body: body) }
        try F.sync(a, to: b)
        try b.audit(kind: .configuration, detail: "peer a added")
        guard case .intact(let n) = try b.verifyAudit() else { Issue.record("not intact"); return }
        #expect(n == 3)
        // Someone edits an entry in the file directly.
        let q = try DatabaseQueue(path: b.path)
        try q.write { try $0.execute(sql: "UPDATE audit SET detail = 'nothing happened' WHERE seq = 2") }
        #expect(try b.verifyAudit() == .broken(atSequence: 2, reason: "entry 2 was changed after it was written"))
    }
}

/// A store written by an earlier version of Hutong opens in this one.
@Suite struct StoreMigrationTests {
    typealias F = StoreFixtures

    @Test func aVersionOneStoreOpensAndGoesOn() throws {
        let path = F.path()
        let body = try F.samples("penalty", 1)[0]
        let rt = F.catalog.recordTypes["penalty"]!
        let id = try RecordID.derive(type: rt, body: body).uuidString.lowercased()
        // The layout of migration v1, filled as that version wrote it.
        do {
            let pool = try DatabasePool(path: path)
            try SQLiteNodeStore.migrator.migrate(pool, upTo: "v1")
            try pool.write { db in
                for (k, v) in [("node_id", "old-node"), ("epoch", "e1"), ("last_seq", "1"), ("hlc", "1717056000000.0"), ("created_at", "2026-01-01T00:00:00Z")] {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [k, v])
                }
                try db.execute(sql: """
                    INSERT INTO records (id, type, owner, vv, hlc, writer, deleted, hash, body, conflicts, seq, from_peer)
                    VALUES (?, 'penalty', 'old-node', '{"old-node":1}', '1717056000000.0', 'old-node', 0, ?, ?, NULL, 1, NULL)
                    """, arguments: [id, ContentHash.of(body), JSONWriter.string(body)])
            }
        }
        let store = try SQLiteNodeStore.open(path: path, catalog: F.catalog)
        let old = try #require(try store.record(id: id))
        #expect(old.vv.description == VersionVector(["old-node": 1]).description && old.body == body)
        // The change log goes on from where v1 left it.
        var edited = body.objectValue!
        edited["remarks"] = "迁移后修改"
        let e = try #require(try store.write(type: "penalty", body: .object(edited)))
        #expect(e.vv[("old-node")] == 2)
        let changes = try store.changes(since: 0, excludingPeer: nil, limit: 10)
        #expect(changes.versions.map(\.id) == [id] && changes.lastSequence == 2)
        #expect(try store.records(type: "penalty", after: nil, limit: 10).count == 1)
    }
}

@Suite struct PushCursorTests {
    typealias F = StoreFixtures

    /// What was just received from a peer is never sent back to it, so the push
    /// cursor moves past it — unless something of our own waits before it.
    @Test func aPushCursorSkipsWhatCameFromThatPeer() throws {
        let a = try F.store("node-a"), b = try F.store("node-b")
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

    /// Pages applied together in one transaction are each what they would be
    /// alone: own outcomes, batch id, audit entry and cursor, and the push
    /// cursor skips each in turn.
    /// After a batch of new records the next is applied without looking its
    /// records up: versions of stored records in it must come out as when looked up.
    @Test func aBatchAfterANewOneMeetsStoredRecords() throws {
        let a = try F.store("node-a"), c = try F.store("node-c")
        let bodies = try F.samples("penalty", 12)
        let firsts = try bodies[0..<10].map { try #require(try a.write(type: "penalty", body: $0)) }
        try F.sync(a, to: c)
        func edited(_ s: SQLiteNodeStore, _ i: Int, _ remark: String) throws -> Envelope {
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
        let together = try F.store("node-b"), apart = try F.store("node-b")
        let one = try together.apply(batches)
        let each = try batches.map { try apart.apply([$0])[0] }
        #expect(one.map(\.outcomes) == each.map(\.outcomes))
        #expect(each[1].outcomes.contains(.conflict) && each[1].outcomes.contains(.alreadyHad))
        #expect(try F.state(together) == F.state(apart))
        #expect(try together.info().lastSequence == apart.info().lastSequence)
        #expect(try together.info().openConflicts == apart.info().openConflicts)
    }

    @Test func severalBatchesInOneTransaction() throws {
        let a = try F.store("node-a"), b = try F.store("node-b")
        for body in try F.samples("penalty", 30) { _ = try a.write(type: "penalty", body: body) }
        let pages = try stride(from: 0, to: 30, by: 10).map { since in
            let c = try a.changes(since: Int64(since), excludingPeer: nil, limit: 10, bodies: false)
            return IncomingBatch(peer: "node-a", batchID: "page-\(since)", versions: c.versions,
                                 cursor: PeerCursor(peer: "node-a", direction: .pull, epoch: c.epoch, sequence: c.lastSequence))
        }
        let results = try b.apply(pages)
        #expect(results.map { $0.count(.applied) } == [10, 10, 10] && results.allSatisfy { !$0.repeated })
        #expect(try F.state(a) == F.state(b))
        // Stored from text alone, bodies read back whole.
        #expect(try b.records(type: nil, after: nil, limit: 100).map(\.body) == a.records(type: nil, after: nil, limit: 100).map(\.body))
        #expect(try b.cursor(peer: "node-a", direction: .pull)?.sequence == 30)
        #expect(try b.cursor(peer: "node-a", direction: .push)?.sequence == 30)
        #expect(try b.auditEntries(limit: 10).filter { $0.kind == "batch-received" }.count == 3)
        let again = try b.apply(pages[1])
        #expect(again.repeated && again.outcomes == results[1].outcomes)
        #expect(try b.info().lastSequence == 30)
    }

    /// Groups given one after another share one transaction: all are kept,
    /// or, when giving the next group fails, none of those before it.
    @Test func groupsFromASourceShareOneTransaction() throws {
        let a = try F.store("node-a")
        for body in try F.samples("penalty", 30) { _ = try a.write(type: "penalty", body: body) }
        let pages = try stride(from: 0, to: 30, by: 10).map { since in
            let c = try a.changes(since: Int64(since), excludingPeer: nil, limit: 10, bodies: false)
            return IncomingBatch(peer: "node-a", batchID: "page-\(since)", versions: c.versions,
                                 cursor: PeerCursor(peer: "node-a", direction: .pull, epoch: c.epoch, sequence: c.lastSequence))
        }
        struct Cut: Error {}
        let failing = try F.store("node-b")
        var given = 0
        #expect(throws: Cut.self) {
            _ = try failing.apply(from: {
                given += 1
                if given == 3 { throw Cut() }
                return [pages[given - 1]]
            })
        }
        #expect(try failing.info().lastSequence == 0 && failing.cursor(peer: "node-a", direction: .pull) == nil)
        #expect(try failing.auditEntries(limit: 10).allSatisfy { $0.kind != "batch-received" })

        let b = try F.store("node-b2")
        var rest = [[pages[0]], [pages[1], pages[2]]]
        let results = try b.apply(from: { rest.isEmpty ? [] : rest.removeFirst() })
        #expect(results.map { $0.count(.applied) } == [10, 10, 10])
        #expect(try F.state(a) == F.state(b))
        #expect(try b.cursor(peer: "node-a", direction: .pull)?.sequence == 30)
        #expect(try b.auditEntries(limit: 10).filter { $0.kind == "batch-received" }.count == 3)
    }

    /// Lines written straight from stored rows are the envelopes' own lines,
    /// byte for byte, for every kind of row: received from a peer (and left
    /// out for it), local with text that needs escaping, a tombstone, a
    /// manual conflict's losers and a masked copy; with the same reach.
    @Test func changeLinesAreTheEnvelopesLines() throws {
        let a = try F.store("node-a"), b = try F.store("node-b")
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
    @Test func aRecordTwiceInOneBatch() throws {
        let a = try F.store("node-a")
        let body = try F.samples("penalty", 1)[0]
        let v1 = try #require(try a.write(type: "penalty", body: body))
        var edited = body.objectValue!
        edited["remarks"] = "第二版"
        let v2 = try #require(try a.write(type: "penalty", body: .object(edited)))
        let other = try #require(try a.write(type: "penalty", body: try F.samples("penalty", 1, seed: 3)[0]))
        for (order, storedFirst) in [([v1, v2], false), ([v2, v1], false), ([v1, other, v2, v2], false), ([v2, v1, v2], true), ([v1, v1], true)] {
            let together = try F.store("node-b"), apart = try F.store("node-b")
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

@Suite struct CheckpointTests {
    typealias F = StoreFixtures

    /// Writes `n` penalties in transactions of `each`, returning the largest size the log reached.
    static func write(_ s: SQLiteNodeStore, _ n: Int, each: Int) throws -> Int {
        let bodies = try F.samples("penalty", n, seed: 7)
        var largest = 0
        for start in stride(from: 0, to: n, by: each) {
            _ = try s.write(bodies[start..<min(n, start + each)].map { (type: "penalty", body: $0) })
            let size = (try? FileManager.default.attributesOfItem(atPath: s.path + "-wal")[.size] as? Int) ?? 0
            largest = max(largest, size)
        }
        return largest
    }

    @Test func theLogIsCopiedBackAndStaysBounded() throws {
        let path = F.path()
        let limit = 800_000
        let s = try SQLiteNodeStore.create(path: path, nodeID: "a", catalog: F.catalog,
                                           checkpointer: WALCheckpointer(path: path, softBytes: 80_000, hardBytes: limit))
        let largest = try Self.write(s, 3_000, each: 50)
        let record = s.checkpointer.record
        #expect(record.lastFailure == nil)
        // Whether the copier or the writer made them depends on timing (on a fast disk the copier may catch up between writes).
        #expect(record.completed > 0)
        // 3,000 records of about 1.5 KB are over 4 MB: a log that was never
        // started over would hold them all. Bounded: the limit plus one
        // transaction (50 records and the index pages they touched).
        #expect(largest > 0 && largest <= limit + 500_000)
        #expect(try s.info().recordsByType["penalty"] == 3_000)
    }

    @Test func aCopierThatFailsLeavesItToTheWriter() throws {
        let path = F.path()
        // The copier's own connection cannot open this: its copies fail, so the writer's must do.
        let s = try SQLiteNodeStore.create(path: path, nodeID: "a", catalog: F.catalog,
                                           checkpointer: WALCheckpointer(path: path + "-missing/store", softBytes: 80_000, hardBytes: 400_000_000))
        let largest = try Self.write(s, 1_000, each: 50)
        let record = s.checkpointer.record
        #expect(record.lastFailure?.contains("cannot open") == true)
        #expect(record.byWriter > 0 && record.completed == record.byWriter)
        #expect(largest > 0)
        #expect(try s.info().recordsByType["penalty"] == 1_000)
    }

    @Test func aNewStoreHasLargePagesAndAnOldOneKeepsItsOwn() throws {
        let path = F.path()
        let s = try SQLiteNodeStore.create(path: path, nodeID: "a", catalog: F.catalog)
        #expect(try s.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == SQLiteNodeStore.pageSize)
        // A store made with SQLite's default pages (as stores were before) is written with them.
        let old = F.path()
        do {
            let pool = try DatabasePool(path: old)
            try SQLiteNodeStore.migrator.migrate(pool)
            try pool.write { db in
                for (k, v) in [("node_id", "old-node"), ("epoch", "e1"), ("last_seq", "0"), ("hlc", "1717056000000.0")] {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [k, v])
                }
            }
        }
        let reopened = try SQLiteNodeStore.open(path: old, catalog: F.catalog)
        _ = try Self.write(reopened, 200, each: 50)
        #expect(try reopened.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 4_096)
        #expect(try reopened.info().recordsByType["penalty"] == 200)
    }

    @Test func closingTheStoreRemovesTheLog() throws {
        let path = F.path()
        do {
            let s = try SQLiteNodeStore.create(path: path, nodeID: "a", catalog: F.catalog,
                                               checkpointer: WALCheckpointer(path: path, softBytes: 80_000, hardBytes: 40_000_000))
            _ = try Self.write(s, 400, each: 100)
            #expect(s.checkpointer.record.completed > 0)
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        }
        // The checkpointer's own connection is closed first, so the pool's is the last and takes the log with it.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let reopened = try SQLiteNodeStore.open(path: path, catalog: F.catalog)
        #expect(try reopened.info().recordsByType["penalty"] == 400)
        #expect(try reopened.pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
    }
}
