import Testing
@testable import Replication
@testable import Standard

@Suite struct MergeRulesTests {
    typealias F = Fixtures

    @Test func localWrites() throws {
        let first = try #require(try MergeRules.write(current: nil, id: "r1", type: "penalty", body: ["x": 1], deleted: false, node: "a", hlc: HLCTimestamp(millis: 10)))
        #expect(first.vv == VersionVector(["a": 1]) && first.owner == "a" && first.writer == "a")
        // Same content, same flag: no new version.
        #expect(try MergeRules.write(current: first, id: "r1", type: "penalty", body: ["x": 1], deleted: false, node: "a", hlc: HLCTimestamp(millis: 11)) == nil)
        // A change at another node keeps the owner and increments that node's entry.
        let second = try #require(try MergeRules.write(current: first, id: "r1", type: "penalty", body: ["x": 2], deleted: false, node: "b", hlc: HLCTimestamp(millis: 12)))
        #expect(second.vv == VersionVector(["a": 1, "b": 1]) && second.owner == "a" && second.writer == "b")
        // A delete is a tombstone version.
        let gone = try #require(try MergeRules.write(current: second, id: "r1", type: "penalty", body: [:], deleted: true, node: "a", hlc: HLCTimestamp(millis: 13)))
        #expect(gone.deleted && gone.vv == VersionVector(["a": 2, "b": 1]))
        // The same content written whole over a masked copy of it is a new version: the write is not the mask.
        var masked = second
        masked.body = ["x": "*"]
        masked.masked = ["/x"]
        let whole = try #require(try MergeRules.write(current: masked, id: "r1", type: "penalty", body: ["x": 2], deleted: false, node: "b", hlc: HLCTimestamp(millis: 14)))
        #expect(whole.masked.isEmpty && whole.hash == second.hash && whole.vv == VersionVector(["a": 1, "b": 2]))
    }

    @Test func applyFollowsTheRules() {
        let l = F.version("a", ["a": 2], hlc: 10)
        #expect(MergeRules.apply(l, over: nil, policy: .lww) == .stored(l))
        #expect(MergeRules.apply(F.version("a", ["a": 1], hlc: 5), over: l, policy: .lww) == .alreadyHad)
        #expect(MergeRules.apply(l, over: l, policy: .lww) == .alreadyHad)
        let newer = F.version("b", ["a": 2, "b": 1], hlc: 11, body: ["x": 2])
        #expect(MergeRules.apply(newer, over: l, policy: .lww) == .stored(newer))
    }

    @Test func concurrentSameContentMergesWithoutConflict() {
        let l = F.version("a", ["a": 2], hlc: 10)
        let r = F.version("b", ["a": 1, "b": 1], hlc: 12)
        guard case .merged(let m) = MergeRules.apply(r, over: l, policy: .lww) else { Issue.record("not merged"); return }
        #expect(m.vv == VersionVector(["a": 2, "b": 1]) && m.hash == l.hash && m.writer == "b")
    }

    @Test func concurrentDifferentIsAConflictSettledByPolicy() {
        let l = F.version("a", ["a": 2], hlc: 20, body: ["x": "owner"])
        let r = F.version("b", ["a": 1, "b": 1], hlc: 30, body: ["x": "later"])
        guard case .conflict(let lww, let lost) = MergeRules.apply(r, over: l, policy: .lww) else { Issue.record("no conflict"); return }
        #expect(lww.hash == r.hash && lost == l && lww.vv == VersionVector(["a": 2, "b": 1]) && lww.hlc == r.hlc)
        guard case .conflict(let owner, _) = MergeRules.apply(r, over: l, policy: .ownerWins) else { Issue.record("no conflict"); return }
        #expect(owner.hash == l.hash && owner.writer == "a" && owner.vv == VersionVector(["a": 2, "b": 1]))
        guard case .conflict(let manual, _) = MergeRules.apply(r, over: l, policy: .manual) else { Issue.record("no conflict"); return }
        #expect(manual.hash == r.hash && manual.conflicts == [VersionRef(vv: VersionVector(["a": 2]), writer: "a", hash: l.hash)])
    }

    @Test func tombstoneAgainstEdit() {
        let edit = F.version("b", ["a": 1, "b": 1], hlc: 30, body: ["x": 2])
        let delete = F.version("a", ["a": 2], hlc: 31, body: [:], deleted: true)
        guard case .conflict(let s, _) = MergeRules.apply(delete, over: edit, policy: .lww) else { Issue.record("no conflict"); return }
        #expect(s.deleted && s.vv == VersionVector(["a": 2, "b": 1]))
    }

    @Test func divergenceIsReportedAndSettled() {
        let l = F.version("a", ["a": 2], hlc: 10, body: ["x": 1])
        let r = F.version("a", ["a": 2], hlc: 10, body: ["x": 9])
        guard case .divergence(let stored, _, _) = MergeRules.apply(r, over: l, policy: .lww) else { Issue.record("no divergence"); return }
        // The tie-break (hlc, writer, hash) decides, the same way on every node.
        #expect((stored != nil) == (r.hash > l.hash))
    }

    /// Any order of applying the same concurrent versions gives the same result.
    @Test(arguments: [ConflictPolicy.lww, .ownerWins, .manual])
    func orderDoesNotMatter(policy: ConflictPolicy) {
        let versions = [
            F.version("a", ["a": 3], hlc: 50, body: ["x": "a"]),
            F.version("b", ["a": 1, "b": 2], hlc: 70, body: ["x": "b"]),
            F.version("c", ["a": 1, "c": 1], hlc: 60, body: ["x": "c"]),
            F.version("d", ["a": 2, "d": 1], hlc: 70, body: ["x": "d"]),
            F.version("e", ["a": 1, "e": 1], hlc: 65, body: ["x": "b"]),
        ]
        var results: Set<String> = []
        var conflictSets: Set<[String]> = []
        for perm in permutations(Array(versions.indices)) {
            var state: Envelope?
            for i in perm + perm.reversed() {  // with duplicates
                switch MergeRules.apply(versions[i], over: state, policy: policy) {
                case .stored(let e), .merged(let e), .conflict(let e, _): state = e
                case .divergence(let e, _, _): if let e { state = e }
                case .alreadyHad: break
                case .unmasked(let e): state = e
                }
            }
            results.insert(state!.convergenceKey)
            #expect(!state!.conflicts.contains { $0.hash == state!.hash })
            conflictSets.insert(state!.conflicts.map(\.hash))
        }
        #expect(results.count == 1, "\(results)")
        // Manual: every node lists the same losing contents (and never the winner's).
        if policy == .manual { #expect(!conflictSets.contains([]) && conflictSets.count == 1, "\(conflictSets.count) different conflict lists") }
    }

    func permutations(_ a: [Int]) -> [[Int]] {
        if a.count <= 1 { return [a] }
        return a.indices.flatMap { i -> [[Int]] in
            var rest = a
            let x = rest.remove(at: i)
            return permutations(rest).map { [x] + $0 }
        }
    }

    /// A masked copy carries the whole body's hash: whatever is stored keeps
    /// the masked state of the body it stores, and of two copies of one
    /// content the whole one is kept.
    @Test func maskedCopiesKeepTheirMaskThroughMerges() {
        func masked(_ e: Envelope) -> Envelope {
            var m = e
            m.body = ["x": "张**"]
            m.masked = ["/x"]
            return m
        }
        let whole = F.version("a", ["a": 1], hlc: 90, body: ["x": "张三丰"])
        let other = F.version("c", ["c": 1], hlc: 10, body: ["x": "李四"])
        // A masked winner of a conflict stays masked (the later clock wins under lww).
        guard case .conflict(let kept, _) = MergeRules.apply(other, over: masked(whole), policy: .lww) else { Issue.record("no conflict"); return }
        #expect(kept.hash == whole.hash && kept.masked == ["/x"] && kept.body == ["x": "张**"])
        guard case .conflict(let kept2, _) = MergeRules.apply(masked(whole), over: other, policy: .lww) else { Issue.record("no conflict"); return }
        #expect(kept2.masked == ["/x"] && kept2.vv == VersionVector(["a": 1, "c": 1]))
        // The same content met whole: the whole body is kept, whichever side holds it.
        let sameLater = F.version("b", ["a": 1, "b": 1], hlc: 95, body: ["x": "张三丰"])
        #expect(MergeRules.apply(whole, over: masked(whole), policy: .lww) == .unmasked(whole))
        guard case .merged(let m) = MergeRules.apply(masked(sameLater), over: whole, policy: .lww) else { Issue.record("not kept whole"); return }
        #expect(m.masked.isEmpty && m.body == whole.body && m.vv == sameLater.vv)
        let concurrent = F.version("d", ["d": 1], hlc: 99, body: ["x": "张三丰"])
        guard case .merged(let m2) = MergeRules.apply(masked(concurrent), over: whole, policy: .lww) else { Issue.record("not merged"); return }
        #expect(m2.masked.isEmpty && m2.body == whole.body)
        // A masked copy never replaces a whole one it does not dominate.
        #expect(MergeRules.apply(masked(whole), over: whole, policy: .lww) == .alreadyHad)
    }

    @Test func envelopeRoundTrip() throws {
        var e = F.version("b", ["a": 1, "b": 2], hlc: 1_717_056_000_000, body: ["x": "y"])
        e.conflicts = [VersionRef(vv: VersionVector(["a": 1]), writer: "a", hash: String(repeating: "0", count: 64))]
        #expect(try Envelope(json: e.json) == e)
        #expect(throws: EnvelopeError.self) { try Envelope(json: ["id": "x"]) }
        // The envelope a node writes is valid against the standard's envelope schema (for a real type).
        let schema = try #require(F.catalog.schema(named: "envelope"))
        let example = try Envelope(json: try F.json("Schemas/examples/envelope/valid-envelope.json"))
        #expect(schema.validate(example.json).isEmpty)
    }
}
