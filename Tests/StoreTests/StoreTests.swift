import Foundation
import HutongTesting
import GRDB
import Postgres
import Testing
@testable import Replication
@testable import Standard
@testable import Store

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

    @Test func aPostgresStoreIsCreatedOpenedRefusedAndMigratedOnce() throws {
        guard PostgresServer.isAvailable else { throw PostgresFailure(PostgresServer.missing) }
        let target = try PostgresServer.shared.get().database()
        let s = try PostgresNodeStore.create(target: target, nodeID: "bj-amr", catalog: F.catalog)
        #expect(try s.info().nodeID == "bj-amr")
        #expect(throws: StoreError.self) { try PostgresNodeStore.create(target: target, nodeID: "other", catalog: F.catalog) }
        let empty = try PostgresServer.shared.get().database()
        let missing = #expect(throws: StoreError.self) { try PostgresNodeStore.open(target: empty, catalog: F.catalog) }
        #expect(missing?.description.contains(empty.description) == true)
        _ = try s.write(type: "penalty", body: try F.samples("penalty", 1)[0])
        let reopened = try PostgresNodeStore.open(target: target, catalog: F.catalog)
        #expect(reopened.epoch == s.epoch && reopened.nodeID == "bj-amr")
        #expect(try reopened.info().recordsByType["penalty"] == 1)
        // A store a newer hutong migrated is refused, with what to do.
        try F.tamper(s, "INSERT INTO migrations (version, name, applied_at) VALUES (\(PostgresNodeStore.migrations.count + 1), 'future', 'x')")
        let newer = #expect(throws: StoreError.self) { try PostgresNodeStore.open(target: target, catalog: F.catalog) }
        #expect(newer?.description.contains("newer than this hutong") == true)
    }

    /// Two processes' worth of writers on one PostgreSQL store, each write a
    /// transaction of its own, while a reader follows the change log by
    /// "sequence above my cursor" as a peer's pull does: it must see every
    /// version. A sequence handed out at write time would let a reader pass
    /// a number whose transaction commits later.
    @Test func aReaderFollowingTheLogMissesNothingWhileTwoWritersCommit() throws {
        guard PostgresServer.isAvailable else { throw PostgresFailure(PostgresServer.missing) }
        let target = try PostgresServer.shared.get().database()
        let one = try PostgresNodeStore.create(target: target, nodeID: "hub", catalog: F.catalog)
        let two = try PostgresNodeStore.open(target: target, catalog: F.catalog)
        let bodies = try F.samples("penalty", 400)
        let written = Mutex<Set<String>>([])
        let done = Mutex(0)
        let failures = Mutex<[String]>([])
        for (w, store) in [one, two].enumerated() {
            Thread.detachNewThread {
                for body in bodies[(w * 200)..<(w * 200 + 200)] {
                    do {
                        if let e = try store.write(type: "penalty", body: body) { written.withLock { _ = $0.insert(e.id) } }
                    } catch { failures.withLock { $0.append("\(error)") } }
                    if Int.random(in: 0..<4) == 0 { Thread.sleep(forTimeInterval: 0.001) }
                }
                done.withLock { $0 += 1 }
            }
        }
        var seen = Set<String>(), cursor: Int64 = 0
        while true {
            let finished = done.withLock { $0 } == 2
            let page = try one.changes(since: cursor, excludingPeer: nil, limit: 7, bodies: false)
            for v in page.versions { seen.insert(v.id) }
            cursor = page.lastSequence
            if finished && page.versions.isEmpty { break }
        }
        let failed = failures.withLock { $0 }
        #expect(failed.isEmpty, "\(failed.count) writes failed, the first: \(failed.first ?? "")")
        let all = written.withLock { $0 }
        #expect(all.count == 400 && seen == all, "\(all.subtracting(seen).count) versions passed by the reader")
        #expect(try one.lastSequence() == 400)
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func localWritesMakeVersionsOnlyOnChange(backend: StoreFixtures.Backend) throws {
        let s = try F.store("a", backend)
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

    /// Records made ready and let go of their parsed bodies (as an intake
    /// does) are stored from their canonical text: read back whole, hash and
    /// body agreeing; the same content again makes no version, a change does,
    /// and a record written twice in one call meets its first write.
    @Test(arguments: StoreFixtures.Backend.allCases) func recordsWithoutTheirTreeAreStoredWhole(backend: StoreFixtures.Backend) throws {
        let s = try F.store("a", backend)
        let type = try #require(F.catalog.recordTypes["penalty"])
        let bodies = try F.samples("penalty", 3)
        let ready = try bodies.map { try LocalRecord(type: type, body: $0).droppingBody() }
        #expect(ready.allSatisfy { $0.body == .null && !$0.canonical.isEmpty })
        let written = try s.write(ready)
        #expect(written.allSatisfy { $0 != nil })
        for (body, r) in zip(bodies, ready) {
            var stored = try #require(try s.record(id: r.id))
            #expect(stored.body == body && stored.hash == r.hash && stored.verifyHash())
        }
        #expect(try s.write(ready).allSatisfy { $0 == nil })
        var changed = try #require(bodies[0].objectValue)
        changed["content"] = "警告。"
        let again = try LocalRecord(type: type, body: .object(changed)).droppingBody()
        let twice = try s.write([again, again])
        #expect(twice[0]?.vv == VersionVector(["a": 2]) && twice[1] == nil)
        #expect(try s.record(id: again.id)?.body == .object(changed))
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func batchesAreIdempotentAndCursorsAdvance(backend: StoreFixtures.Backend) throws {
        let a = try F.store("a", backend), b = try F.store("b", backend)
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

    @Test(arguments: StoreFixtures.Backend.allCases) func ownerWinsConflictConverges(backend: StoreFixtures.Backend) throws {
        let a = try F.store("a", backend), b = try F.store("b", backend)
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

    @Test(arguments: StoreFixtures.Backend.allCases) func manualConflictIsFlaggedResolvedAndPropagated(backend: StoreFixtures.Backend) throws {
        let a = try F.store("a", backend), b = try F.store("b", backend)
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
        let resolved = try b.resolveConflict(id: try b.conflicts(openOnly: true)[0].id, body: .object(atA), deleted: false)
        #expect(resolved.conflicts.isEmpty && resolved.body["suspected_crime"] == "测试罪名甲")
        try F.sync(b, to: a)
        #expect(try F.state(a) == F.state(b))
        #expect(try a.info().openConflicts == 0 && b.info().openConflicts == 0)
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func tombstonesReplicateAndArePurgedAfterEveryPeer(backend: StoreFixtures.Backend) throws {
        let a = try F.store("a", backend), b = try F.store("b", backend)
        let e = try #require(try a.write(type: "officer", body: try F.samples("officer", 1)[0]))
        try F.sync(a, to: b)
        _ = try a.delete(id: e.id)
        try F.sync(a, to: b)
        #expect(try b.record(id: e.id)?.deleted == true)
        #expect(try a.purgeTombstones(peers: ["b"], upTo: .max) == 0)  // B has not acknowledged yet
        try a.setCursor(PeerCursor(peer: "b", direction: .push, epoch: a.epoch, sequence: try a.info().lastSequence))
        #expect(try a.purgeTombstones(peers: ["b"], upTo: .max) == 1)
        #expect(try a.record(id: e.id) == nil)
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func rejectedAndSkewedVersionsGoToQuarantine(backend: StoreFixtures.Backend) throws {
        let a = try F.store("a", backend), b = try F.store("b", backend)
        var e = try #require(try a.write(type: "agency", body: try F.samples("agency", 1)[0]))
        e.hlc = HLCTimestamp(millis: StoreClock.wallMillis() + 3_600_000)
        // A line a careless or hostile peer sent with a NUL byte in it (not JSON): quarantined
        // like any other, although PostgreSQL's text cannot hold the byte.
        let r = try b.apply(IncomingBatch(peer: "a", batchID: "x", versions: [e],
                                          rejected: [.init(text: "{\"type\":\"agency\"}", reason: "/name: missing required field"),
                                                     .init(text: "{\"type\":\u{0}\"agency\"}", reason: "line 2: not JSON: \u{0} at 9")]))
        #expect(r.outcomes == [.rejected, .rejected, .rejected])
        let q = try b.quarantine(limit: 10)
        #expect(q.count == 3 && q.contains { $0.reason.contains("ahead of ours") } && q.contains { $0.reason.contains("/name") })
        #expect(q.contains { $0.text.hasPrefix("{\"type\":") && $0.text.hasSuffix("\"agency\"}") && $0.text.count > 17 && $0.reason.hasPrefix("line 2") })
        #expect(try b.record(id: e.id) == nil)
        // Quarantined by hand too (a mapped row whose field held the byte).
        try b.quarantine([QuarantinedRow(source: "import x.csv", text: "{\"CF_WSH\":\"a\u{0}b\"}", reason: "a\u{0}b", mapping: "m.toml", place: "x.csv:2")])
        #expect(try b.quarantinedPlaces(mapping: "m.toml") == ["x.csv:2"])
    }

    @Test(arguments: StoreFixtures.Backend.allCases) func auditChainDetectsTampering(backend: StoreFixtures.Backend) throws {
        let a = try F.store("a", backend), b = try F.store("b", backend)
        for body in try F.samples("matter", 3) { _ = try a.write(type: "matter", body: body) }
        try F.sync(a, to: b)
        try b.audit(kind: .configuration, detail: "peer a added")
        guard case .intact(let n) = try b.verifyAudit() else { Issue.record("not intact"); return }
        #expect(n == 3)
        // Someone edits an entry in the file directly.
        try F.tamper(b, "UPDATE audit SET detail = 'nothing happened' WHERE seq = 2")
        #expect(try b.verifyAudit() == .broken(atSequence: 2, reason: "entry 2 was changed after it was written"))
    }
}
