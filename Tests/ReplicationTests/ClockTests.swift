import Testing
@testable import Replication

@Suite struct ClockTests {
    @Test func nowNeverGoesBackwards() {
        var c = HybridLogicalClock()
        let t1 = c.now(wall: 1_000)
        let t2 = c.now(wall: 900)  // wall clock stepped back
        let t3 = c.now(wall: 1_000)
        #expect(t1 < t2 && t2 < t3)
        #expect(t2 == HLCTimestamp(millis: 1_000, logical: 1))
    }

    @Test func observeMovesPastRemote() throws {
        var c = HybridLogicalClock(maxSkewMillis: 5_000)
        _ = c.now(wall: 1_000)
        try c.observe(HLCTimestamp(millis: 3_000, logical: 4), wall: 1_000)
        #expect(c.last == HLCTimestamp(millis: 3_000, logical: 5))
        #expect(c.now(wall: 1_000) > HLCTimestamp(millis: 3_000, logical: 5))
    }

    @Test func remoteTooFarAheadIsRefused() {
        var c = HybridLogicalClock(maxSkewMillis: 60_000)
        do {
            try c.observe(HLCTimestamp(millis: 1_000_000 + 120_000), wall: 1_000_000)
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("120.0 s ahead"))
            #expect(error.description.contains("NTP"))
        }
        #expect(c.last == HLCTimestamp(millis: 0))
    }

    @Test func textForm() {
        let t = HLCTimestamp(millis: 1_717_056_000_000, logical: 2)
        #expect(t.description == "1717056000000.2")
        #expect(HLCTimestamp("1717056000000.2") == t)
        #expect(HLCTimestamp("17170560.2") == nil)
        #expect(HLCTimestamp(millis: 5).description == "0000000000005.0")
        #expect(HLCTimestamp("0000000000005.0") == HLCTimestamp(millis: 5))
        #expect(HLCTimestamp("1717056000000.4294967295") == HLCTimestamp(millis: 1_717_056_000_000, logical: .max))
        for bad in ["1717056000000.4294967296", "1717056000000.", "1717056000000x2", "171705600000a.2", "1717056000000.2 ", "", "+717056000000.2"] {
            #expect(HLCTimestamp(bad) == nil, "\(bad) accepted")
        }
    }

    /// No timestamp from the wire may make the clock overflow: a logical
    /// counter no real clock reaches is refused, and our own counter at its
    /// end moves on to the next millisecond.
    @Test func countersNeverOverflow() throws {
        var c = HybridLogicalClock(last: HLCTimestamp(millis: 1_000))
        for logical in [UInt32.max, UInt32.max - 1, HybridLogicalClock.maxRemoteLogical] {
            #expect(throws: ClockSkewError.self) { try c.observe(HLCTimestamp(millis: 1_000, logical: logical), wall: 1_000) }
            #expect(throws: ClockSkewError.self) { try c.observe(HLCTimestamp(millis: 2_000, logical: logical), wall: 1_000) }
        }
        #expect(c.last == HLCTimestamp(millis: 1_000))
        try c.observe(HLCTimestamp(millis: 1_000, logical: HybridLogicalClock.maxRemoteLogical - 1), wall: 1_000)
        #expect(c.last == HLCTimestamp(millis: 1_000, logical: HybridLogicalClock.maxRemoteLogical))
        var full = HybridLogicalClock(last: HLCTimestamp(millis: 1_000, logical: .max))
        #expect(full.now(wall: 1_000) == HLCTimestamp(millis: 1_001))
        full = HybridLogicalClock(last: HLCTimestamp(millis: 1_000, logical: .max))
        try full.observe(HLCTimestamp(millis: 1_000, logical: 3), wall: 900)
        #expect(full.last == HLCTimestamp(millis: 1_001))
        do {
            try c.observe(HLCTimestamp(millis: 1_000, logical: .max), wall: 1_000)
        } catch {
            #expect(error.description.contains("logical counter of 4294967295"))
        }
    }
}
