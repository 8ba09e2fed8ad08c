import Standard
import JSON

/// A hybrid logical clock timestamp: wall-clock milliseconds and a logical
/// counter, ordered as a pair. Written "1717056000000.2" in envelopes.
public struct HLCTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let millis: UInt64
    public let logical: UInt32

    public init(millis: UInt64, logical: UInt32 = 0) {
        self.millis = millis
        self.logical = logical
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.millis, a.logical) < (b.millis, b.logical)
    }

    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The text form, millis padded to 13 digits. Written and read for every
    /// version stored or sent, so done on bytes.
    public func write(into out: inout [UInt8]) {
        JSONWriter.writeDecimal(millis, minimumDigits: 13, into: &out)
        out.append(UInt8(ascii: "."))
        JSONWriter.writeDecimal(UInt64(logical), into: &out)
    }

    /// Reads "MILLIS.COUNTER": exactly 13 digits, a dot, 1 to 10 digits.
    public init?(_ text: String) {
        var text = text
        let parsed: (UInt64, UInt32)? = text.withUTF8 { b in
            guard b.count >= 15, b.count <= 24, b[13] == UInt8(ascii: ".") else { return nil }
            var m: UInt64 = 0
            for i in 0..<13 {
                let d = b[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                m = m * 10 + UInt64(d)
            }
            var l: UInt64 = 0
            for i in 14..<b.count {
                let d = b[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                l = l * 10 + UInt64(d)
            }
            guard l <= UInt64(UInt32.max) else { return nil }
            return (m, UInt32(l))
        }
        guard let (m, l) = parsed else { return nil }
        self.init(millis: m, logical: l)
    }
}

/// The node's clock. `now` never goes backwards, even if the wall clock does;
/// `observe` folds in a remote timestamp and refuses one too far in the future.
public struct HybridLogicalClock: Sendable {
    public private(set) var last: HLCTimestamp
    /// Largest accepted lead of a remote clock over ours, in milliseconds.
    public let maxSkewMillis: UInt64

    public init(last: HLCTimestamp = HLCTimestamp(millis: 0), maxSkewMillis: UInt64 = 60_000) {
        self.last = last
        self.maxSkewMillis = maxSkewMillis
    }

    /// A timestamp for a local write at wall time `wall` (milliseconds). A
    /// logical counter at its maximum moves on to the next millisecond
    /// instead of overflowing: the clock runs a millisecond ahead, no more.
    public mutating func now(wall: UInt64) -> HLCTimestamp {
        if wall > last.millis {
            last = HLCTimestamp(millis: wall)
        } else if last.logical == .max {
            last = HLCTimestamp(millis: last.millis + 1)
        } else {
            last = HLCTimestamp(millis: last.millis, logical: last.logical + 1)
        }
        return last
    }

    /// Takes in a remote timestamp received at wall time `wall`.
    /// - Throws: `ClockSkewError` when the remote is more than `maxSkewMillis`
    ///   ahead, or when its logical counter leaves no room to follow it (a
    ///   value no real clock reaches: a peer's bytes must not make ours overflow).
    public mutating func observe(_ remote: HLCTimestamp, wall: UInt64) throws(ClockSkewError) {
        if remote.millis > wall && remote.millis - wall > maxSkewMillis {
            throw ClockSkewError(remote: remote, local: wall, maxSkewMillis: maxSkewMillis)
        }
        guard remote.logical < Self.maxRemoteLogical else {
            throw ClockSkewError(remote: remote, local: wall, maxSkewMillis: maxSkewMillis, exhausted: true)
        }
        let m = max(last.millis, remote.millis, wall)
        if m == last.millis && m == remote.millis {
            last = HLCTimestamp(millis: m, logical: max(last.logical, remote.logical))
            tick()
        } else if m == last.millis {
            tick()
        } else if m == remote.millis {
            last = HLCTimestamp(millis: m, logical: remote.logical + 1)
        } else {
            last = HLCTimestamp(millis: m)
        }
    }

    /// Largest logical counter taken from a peer. A real clock's counter
    /// counts writes within one millisecond; one this high was made up.
    public static let maxRemoteLogical: UInt32 = 1 << 31

    /// The next timestamp after `last` within its millisecond, or the next millisecond.
    private mutating func tick() {
        last = last.logical == .max ? HLCTimestamp(millis: last.millis + 1) : HLCTimestamp(millis: last.millis, logical: last.logical + 1)
    }
}

public struct ClockSkewError: Error, CustomStringConvertible, Sendable {
    public let remote: HLCTimestamp
    public let local: UInt64
    public let maxSkewMillis: UInt64
    /// The remote's logical counter, not its time, is out of bounds.
    public var exhausted = false

    public init(remote: HLCTimestamp, local: UInt64, maxSkewMillis: UInt64, exhausted: Bool = false) {
        self.remote = remote; self.local = local; self.maxSkewMillis = maxSkewMillis; self.exhausted = exhausted
    }

    public var description: String {
        if exhausted {
            return "hlc \(remote) has a logical counter of \(remote.logical), more than the \(HybridLogicalClock.maxRemoteLogical) a real clock reaches: refused (the sending node's store is damaged or forged)"
        }
        let ahead = Double(remote.millis - local) / 1000
        return String(format: "a remote clock is %.1f s ahead of ours, more than the allowed %.1f s; check the sending node's time (NTP) or raise max_clock_skew",
                      ahead, Double(maxSkewMillis) / 1000)
    }
}
