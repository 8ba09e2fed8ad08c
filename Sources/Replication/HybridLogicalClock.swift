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
        let m = String(millis)
        return String(repeating: "0", count: max(0, 13 - m.count)) + m + "." + String(logical)
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 13, let m = UInt64(parts[0]), let l = UInt32(parts[1]) else { return nil }
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

    /// A timestamp for a local write at wall time `wall` (milliseconds).
    public mutating func now(wall: UInt64) -> HLCTimestamp {
        if wall > last.millis {
            last = HLCTimestamp(millis: wall)
        } else {
            last = HLCTimestamp(millis: last.millis, logical: last.logical + 1)
        }
        return last
    }

    /// Takes in a remote timestamp received at wall time `wall`.
    /// - Throws: `ClockSkewError` when the remote is more than `maxSkewMillis` ahead.
    public mutating func observe(_ remote: HLCTimestamp, wall: UInt64) throws(ClockSkewError) {
        if remote.millis > wall && remote.millis - wall > maxSkewMillis {
            throw ClockSkewError(remote: remote, local: wall, maxSkewMillis: maxSkewMillis)
        }
        let m = max(last.millis, remote.millis, wall)
        if m == last.millis && m == remote.millis {
            last = HLCTimestamp(millis: m, logical: max(last.logical, remote.logical) + 1)
        } else if m == last.millis {
            last = HLCTimestamp(millis: m, logical: last.logical + 1)
        } else if m == remote.millis {
            last = HLCTimestamp(millis: m, logical: remote.logical + 1)
        } else {
            last = HLCTimestamp(millis: m)
        }
    }
}

public struct ClockSkewError: Error, CustomStringConvertible, Sendable {
    public let remote: HLCTimestamp
    public let local: UInt64
    public let maxSkewMillis: UInt64

    public var description: String {
        let ahead = Double(remote.millis - local) / 1000
        return String(format: "a remote clock is %.1f s ahead of ours, more than the allowed %.1f s; check the sending node's time (NTP) or raise max_clock_skew",
                      ahead, Double(maxSkewMillis) / 1000)
    }
}
