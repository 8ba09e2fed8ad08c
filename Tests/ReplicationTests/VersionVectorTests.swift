import Testing
@testable import Replication

@Suite struct VersionVectorTests {
    @Test func compare() {
        let a = VersionVector(["a": 2, "b": 1])
        #expect(a.compare(VersionVector(["a": 2, "b": 1])) == .equal)
        #expect(a.compare(VersionVector(["a": 1, "b": 1])) == .dominates)
        #expect(a.compare(VersionVector(["a": 2, "b": 1, "c": 1])) == .dominatedBy)
        #expect(a.compare(VersionVector(["a": 1, "b": 2])) == .concurrent)
        #expect(a.compare(VersionVector(["c": 1])) == .concurrent)
        #expect(VersionVector().compare(VersionVector(["a": 1])) == .dominatedBy)
        #expect(VersionVector(["a": 0]) == VersionVector())  // zero entries are absent
    }

    @Test func mergeAndIncrement() throws {
        let m = VersionVector(["a": 2, "b": 1]).merged(with: VersionVector(["b": 3, "c": 1]))
        #expect(m == VersionVector(["a": 2, "b": 3, "c": 1]))
        #expect(try m.incremented(for: "a")["a"] == 3)
        #expect(try m.incremented(for: "z")["z"] == 1)
    }

    @Test func jsonRoundTrip() throws {
        let v = VersionVector(["b": 3, "a": 1])
        #expect(JSONWriterCheck.text(v.json) == #"{"a":1,"b":3}"#)
        // The written text is the JSON's, one node or many.
        for w in [v, VersionVector(["node-a": 9_223_372_036_854_775_807]), VersionVector(), VersionVector(["c\"": 1, "b": 20, "a": 300])] {
            #expect(w.jsonText == JSONWriterCheck.text(w.json))
        }
        #expect(try VersionVector(json: v.json) == v)
        #expect(throws: EnvelopeError.self) { try VersionVector(json: ["a": 0]) }
    }

    /// A counter from the wire is bounded where it is read, and a local
    /// write never makes a vector that cannot be read back.
    @Test func countersAreBoundedBothWays() throws {
        let top = Int64(VersionVector.maxCounter)
        let atTop = try VersionVector(json: ["a": .int(top)])
        #expect(throws: EnvelopeError.self) { try VersionVector(json: ["a": .int(top + 1)]) }
        #expect(throws: EnvelopeError.self) { try VersionVector(json: ["a": .int(Int64.max)]) }
        #expect(throws: EnvelopeError.self) { try atTop.incremented(for: "a") }
        let below = try VersionVector(json: ["a": .int(top - 1)]).incremented(for: "a")
        #expect(try VersionVector(json: below.json) == below)
    }
}

import Standard
