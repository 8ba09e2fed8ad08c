import Foundation
import PropertyBased
import Testing
@testable import Replication
@testable import Standard
@testable import Store
import JSON

/// The merge rules' promise (docs/architecture.md), checked as a property: 3–5 nodes (real store files),
/// random local writes, edits and deletes, random exchanges between random
/// pairs — paged pulls, versions delivered out of order, batches retried and
/// old batches replayed late — then a full exchange. Every node must hold
/// identical (id, vv, hash, deleted), and every write made must be the final
/// state, dominated by it, or a recorded conflict loser.
///
/// Each generated step is one integer decoded into an operation, so a failing
/// scenario shrinks to fewer and simpler steps. HUTONG_PROPERTY_CASES sets the
/// number of cases (default 25).
@Suite struct ConvergenceProperties {
    typealias F = StoreFixtures

    static var cases: Int { Int(ProcessInfo.processInfo.environment["HUTONG_PROPERTY_CASES"] ?? "") ?? 25 }

    /// On PostgreSQL every other node's store is on the server (a third of
    /// the cases: each store is a database of its own), so that the two
    /// stores also meet each other.
    @Test(arguments: StoreFixtures.Backend.allCases) func nodesConvergeWhateverTheOrder(backend: StoreFixtures.Backend) async {
        let count = backend == .sqlite ? Self.cases : max(5, Self.cases / 3)
        await propertyCheck(count: count, input: Gen.int(in: 3...5), Gen.int(in: 0...Int(Int32.max)).array(of: 10...160)) { nodeCount, steps in
            var scenario = try Scenario(nodeCount: nodeCount, seed: UInt64(steps.first ?? 0), backend: backend)
            try scenario.run(steps)
        }
    }

    /// The same check with a scenario that must fail: a store that drops one
    /// version of a batch. Shows the property can catch a lost write.
    @Test func theCheckCatchesALostWrite() throws {
        var s = try Scenario(nodeCount: 3, seed: 7)
        s.dropOneVersion = true
        let steps = (0..<30).map { $0 * 10 + ($0 % 2) * 1000 }  // local writes at every node
        let failures = try s.check(steps)
        #expect(!failures.isEmpty)
    }
}

/// One generated history of writes and exchanges between nodes.
struct Scenario {
    typealias F = StoreFixtures
    let nodes: [any NodeStore]
    let pool: [(type: String, body: JSONValue)]
    var writes: [Envelope] = []
    /// Batches sent so far, to replay late.
    var sent: [(to: Int, peer: String, versions: [Envelope])] = []
    var batchCount = 0
    var repeatFailures: [String] = []
    /// Fault injection for the self-test: every pulled page loses its first version.
    var dropOneVersion = false

    init(nodeCount: Int, seed: UInt64, backend: StoreFixtures.Backend = .sqlite) throws {
        nodes = try (0..<nodeCount).map { try F.store("node-\(Character(UnicodeScalar(97 + $0)!))", $0 % 2 == 0 ? backend : .sqlite) }
        var records: [(type: String, body: JSONValue)] = []
        // owner-wins, manual and lww types, so every policy meets concurrency.
        for t in ["penalty", "case_transfer", "violation_lead"] {
            for b in try F.samples(t, 4, seed: seed % 1000 + 1) { records.append((t, b)) }
        }
        pool = records
    }

    mutating func run(_ steps: [Int]) throws {
        for failure in try check(steps) { Issue.record(Comment(rawValue: failure)) }
    }

    /// Plays the steps, exchanges fully, and returns what went wrong.
    mutating func check(_ steps: [Int]) throws -> [String] {
        for (n, step) in steps.enumerated() { try play(step, index: n) }
        for _ in 0..<3 { for x in nodes.indices { for y in nodes.indices where x != y { try pull(x, from: y, page: 10_000) } } }
        var failures = repeatFailures
        let states = try nodes.map(F.state)
        for (i, s) in states.enumerated().dropFirst() where s != states[0] {
            failures.append("\(nodes[i].nodeID) holds \(s.count) records unlike \(nodes[0].nodeID)'s \(states[0].count): "
                            + "\(Set(s).symmetricDifference(states[0]).sorted().prefix(3))")
        }
        let losers = Set(try nodes.flatMap { try $0.conflicts(openOnly: false).map { $0.loser.hash + $0.loser.vv.description } })
        for w in writes {
            guard let final = try nodes[0].record(id: w.id) else {
                failures.append("record \(w.id) written by \(w.writer) is missing at \(nodes[0].nodeID)")
                continue
            }
            let order = w.vv.compare(final.vv)
            if !(order == .equal || order == .dominatedBy || losers.contains(w.hash + w.vv.description)) {
                failures.append("write \(w.writer) \(w.vv) of \(w.id) was lost (final \(final.vv))")
            }
        }
        return failures
    }

    /// Decodes one step: the low digit picks the operation, the rest its arguments.
    mutating func play(_ step: Int, index: Int) throws {
        let at = (step / 10) % nodes.count
        let other = (at + 1 + (step / 100) % (nodes.count - 1)) % nodes.count
        let arg = step / 1000
        let node = nodes[at]
        switch step % 10 {
        case 0...3:  // a local write (an edit of a pool record, sometimes its first version)
            let pick = pool[arg % pool.count]
            var body = pick.body.objectValue!
            if step % 10 != 0 { body["remarks"] = .string("第\(index)次修改 by \(node.nodeID)") }
            if let e = try node.write(type: pick.type, body: .object(body)) { writes.append(e) }
        case 4:  // a local delete
            let live = try node.records(type: nil, after: nil, limit: 1_000).filter { !$0.deleted }
            if !live.isEmpty, let e = try node.delete(id: live[arg % live.count].id) { writes.append(e) }
        case 5...6:  // a paged pull, as the transport does it
            try pull(at, from: other, page: 1 + arg % 7)
        case 7:  // everything the other node has, out of order, in several batches without a cursor
            var versions = try nodes[other].changes(since: 0, excludingPeer: node.nodeID, limit: 100_000).versions
            var rng = SplitMix64(state: UInt64(step))
            versions.shuffle(using: &rng)
            var start = 0
            while start < versions.count {
                let size = 1 + rng.int(0...4)
                try deliver(Array(versions[start..<min(versions.count, start + size)]), to: at, from: other, cursor: nil)
                start += size
            }
        case 8:  // a batch sent before arrives again, late, under a new batch id
            guard !sent.isEmpty else { return }
            let old = sent[arg % sent.count]
            try deliver(old.versions, to: old.to, from: nodes.firstIndex { $0.nodeID == old.peer }!, cursor: nil)
        default:  // a batch retried with the same id: same answer, nothing changes
            guard let c = try pull(at, from: other, page: 3) else { return }
            let before = try F.state(node)
            let again = try node.apply(IncomingBatch(peer: nodes[other].nodeID, batchID: c.batchID, versions: c.versions))
            let after = try F.state(node)
            if !again.repeated || after != before { repeatFailures.append("batch \(c.batchID) repeated at \(node.nodeID) changed the store") }
        }
    }

    /// One page of `from`'s change log after `to`'s pull cursor, applied at `to` with the cursor.
    @discardableResult
    mutating func pull(_ to: Int, from: Int, page: Int) throws -> (batchID: String, versions: [Envelope])? {
        let source = nodes[from], sink = nodes[to]
        let since = try sink.cursor(peer: source.nodeID, direction: .pull).map { $0.epoch == source.epoch ? $0.sequence : 0 } ?? 0
        let c = try source.changes(since: since, excludingPeer: sink.nodeID, limit: page)
        guard c.lastSequence > since else { return nil }
        let id = try deliver(c.versions, to: to, from: from,
                             cursor: PeerCursor(peer: source.nodeID, direction: .pull, epoch: c.epoch, sequence: c.lastSequence))
        return (id, c.versions)
    }

    @discardableResult
    mutating func deliver(_ versions: [Envelope], to: Int, from: Int, cursor: PeerCursor?) throws -> String {
        batchCount += 1
        let id = "batch-\(batchCount)"
        var carried = versions
        if dropOneVersion, cursor != nil, !carried.isEmpty { carried.removeFirst() }
        _ = try nodes[to].apply(IncomingBatch(peer: nodes[from].nodeID, batchID: id, versions: carried, cursor: cursor))
        sent.append((to, nodes[from].nodeID, versions))
        return id
    }
}

