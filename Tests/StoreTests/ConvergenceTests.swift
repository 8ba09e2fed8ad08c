import Foundation
import Testing
@testable import Replication
@testable import Standard
@testable import Store

/// Three nodes (real store files): random writes, edits and deletes, random
/// exchanges between random pairs (repeated batches included), then a full
/// exchange. Every node must hold identical (id, vv, hash, deleted), and every
/// write made must be the final state, dominated by it, or a recorded loser.
/// HUTONG_CONVERGENCE_CASES raises the number of seeds.
@Suite struct ConvergenceTests {
    typealias F = StoreFixtures

    static var seeds: [UInt64] {
        let n = Int(ProcessInfo.processInfo.environment["HUTONG_CONVERGENCE_CASES"] ?? "") ?? 6
        return (1...UInt64(max(1, n))).map { $0 }
    }

    @Test(arguments: seeds)
    func nodesConverge(seed: UInt64) throws {
        var rng = SplitMix64(state: seed)
        let nodes = try ["a", "b", "c"].map { try F.store($0) }
        let types = ["penalty", "case_transfer", "violation_lead"]
        var pool: [(type: String, body: JSONValue)] = []
        for t in types { for b in try F.samples(t, 4, seed: seed) { pool.append((t, b)) } }
        var writes: [Envelope] = []
        for step in 0..<120 {
            let n = nodes[rng.int(0...2)]
            switch rng.int(0...9) {
            case 0...5:
                let i = rng.int(0...pool.count - 1)
                var body = pool[i].body.objectValue!
                if rng.chance(0.6) { body["remarks"] = .string("第\(step)次修改 by \(n.nodeID)") }
                if let e = try n.write(type: pool[i].type, body: .object(body)) { writes.append(e) }
            case 6:
                if let victim = try n.records(type: nil, after: nil, limit: 100).filter({ !$0.deleted }).randomElement(using: &rng),
                   let e = try n.delete(id: victim.id) { writes.append(e) }
            default:
                let from = nodes[rng.int(0...2)]
                guard from !== n else { continue }
                let id = "b\(seed)-\(step)"
                try F.sync(from, to: n, batchID: id)
                if rng.chance(0.3) { try F.sync(from, to: n, batchID: id) }  // a retried batch
            }
        }
        for _ in 0..<3 { for x in nodes { for y in nodes where x !== y { try F.sync(x, to: y) } } }
        let states = try nodes.map(F.state)
        #expect(states[0] == states[1] && states[1] == states[2])
        // No write is lost: each is the final version, dominated by it, or a conflict loser somewhere.
        let losers = Set(try nodes.flatMap { try $0.conflicts(openOnly: false).map { $0.loser.hash + $0.loser.vv.description } })
        for w in writes {
            guard let final = try nodes[0].record(id: w.id) else { continue }  // purged never happens here
            let order = w.vv.compare(final.vv)
            #expect(order == .equal || order == .dominatedBy || losers.contains(w.hash + w.vv.description),
                    "write \(w.writer) \(w.vv) of \(w.id) lost")
        }
    }
}

extension Array {
    func randomElement(using rng: inout SplitMix64) -> Element? {
        isEmpty ? nil : self[rng.int(0...count - 1)]
    }
}
