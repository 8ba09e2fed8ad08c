import Standard
import JSON

/// Node id → counter. Exact because each node is the only writer of its own
/// entry and its store serialises writes (docs/architecture.md, "Version vectors: the rules").
public struct VersionVector: Sendable, Hashable {
    public private(set) var counters: [String: UInt64]

    public init(_ counters: [String: UInt64] = [:]) {
        self.counters = counters.filter { $0.value > 0 }
    }

    public subscript(node: String) -> UInt64 { counters[node] ?? 0 }

    /// How two vectors relate.
    public enum Order: Sendable, Equatable {
        case equal
        /// Every entry of self is ≥ the other's, one is >.
        case dominates
        case dominatedBy
        case concurrent
    }

    public func compare(_ other: VersionVector) -> Order {
        var greater = false, less = false
        for (node, c) in counters {
            let o = other[node]
            if c > o { greater = true } else if c < o { less = true }
        }
        for (node, o) in other.counters where counters[node] == nil && o > 0 { less = true }
        switch (greater, less) {
        case (false, false): return .equal
        case (true, false): return .dominates
        case (false, true): return .dominatedBy
        case (true, true): return .concurrent
        }
    }

    /// Pointwise maximum.
    public func merged(with other: VersionVector) -> VersionVector {
        var m = counters
        for (node, c) in other.counters where c > m[node] ?? 0 { m[node] = c }
        return VersionVector(m)
    }

    /// Largest counter a vector may hold: 2^53 − 1, which every JSON reader
    /// keeps exact. A vector from the wire beyond it is refused where it is
    /// read, so a peer cannot push a counter that a local write would carry
    /// past what this node can read back.
    public static let maxCounter: UInt64 = (1 << 53) - 1

    /// The vector of a local write at `node`.
    /// - Throws: when `node`'s counter is at `maxCounter` (never reached by
    ///   counting writes; only a counter taken from a forged version could be).
    public func incremented(for node: String) throws(EnvelopeError) -> VersionVector {
        var m = counters
        let c = m[node, default: 0]
        guard c < Self.maxCounter else {
            throw .invalid("vv", "counter of \(node) is at its maximum (\(Self.maxCounter)); no further version can be written")
        }
        m[node] = c + 1
        return VersionVector(m)
    }

    /// As in the envelope: an object of counters, nodes in sorted order.
    public var json: JSONValue {
        let nodes = counters.keys.sorted()
        return .object(JSONObject(keys: nodes, values: nodes.map { .int(Int64(counters[$0]!)) }))
    }

    /// `json` as compact text, written without building it (every stored and sent version has one).
    public func write(into out: inout [UInt8]) {
        func entry(_ node: String, _ counter: UInt64) {
            JSONWriter.writeString(node, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.writeDecimal(counter, into: &out)
        }
        out.append(UInt8(ascii: "{"))
        if counters.count == 1, let only = counters.first {
            // Most records were only ever written at one node: nothing to sort.
            entry(only.key, only.value)
        } else {
            for (i, node) in counters.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                entry(node, counters[node]!)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    public var jsonText: String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public init(json: JSONValue) throws(EnvelopeError) {
        guard case .object(let o) = json else { throw .invalid("vv", "must be an object of node → counter") }
        var m: [String: UInt64] = [:]
        for (k, v) in o.members {
            guard let i = v.intValue, i >= 1, UInt64(i) <= Self.maxCounter else {
                throw .invalid("vv", "counter of \(k) must be an integer from 1 to \(Self.maxCounter)")
            }
            m[k] = UInt64(i)
        }
        self.init(m)
    }
}

extension VersionVector: CustomStringConvertible {
    public var description: String {
        "{" + counters.keys.sorted().map { "\($0):\(counters[$0]!)" }.joined(separator: ",") + "}"
    }
}
