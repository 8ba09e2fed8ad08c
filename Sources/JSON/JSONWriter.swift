import Foundation

/// Compact JSON text with no insignificant white space, minimal string escapes
/// and numbers in ECMAScript form — which is RFC 8785 canonical JSON once the
/// members are sorted. Used for NDJSON output, verdicts, and content hashes.
public enum JSONWriter {
    public enum Style: Sendable {
        /// Members in stored order.
        case compact
        /// RFC 8785: members sorted by UTF-16 code units.
        case canonical
    }

    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, style: style)
        return String(decoding: out, as: UTF8.self)
    }

    public static func write(_ value: JSONValue, into out: inout [UInt8], style: Style = .compact) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: number(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            // By index: a for-in over the array copies (retains) each item.
            for i in a.indices {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(a[i], into: &out, style: style)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            func member(_ n: Int, _ i: Int) {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                writeString(o.keys[i], into: &out)
                out.append(UInt8(ascii: ":"))
                write(o.values[i], into: &out, style: style)
            }
            if style == .canonical && !o.inCanonicalOrder {
                let order = canonicalOrder(o.keys)
                for n in order.indices { member(n, order[n]) }
            } else {
                for i in 0..<o.count { member(i, i) }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Member positions in RFC 8785 order (by UTF-16 code units). Keys in
    /// ASCII, as every key of the standard is, sort the same by their UTF-8
    /// bytes, which are read in place; the UTF-16 view transcodes on every
    /// comparison and made canonical writing the costliest step of a local write.
    /// Objects already in that order (records built from a mapping's
    /// layout, bodies read back canonical) are recognised in one pass.
    static func canonicalOrder(_ keys: [String]) -> [Int] {
        if keys.allSatisfy(isASCII) {
            var sorted = true
            for i in keys.indices.dropFirst() where !utf8Precedes(keys[i - 1], keys[i]) { sorted = false; break }
            return sorted ? Array(keys.indices) : keys.indices.sorted { utf8Precedes(keys[$0], keys[$1]) }
        }
        return keys.indices.sorted { keys[$0].utf16.lexicographicallyPrecedes(keys[$1].utf16) }
    }

    private static func isASCII(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in b.allSatisfy { $0 < 0x80 } }
    }

    /// `a` before `b` by their UTF-8 bytes, compared in place.
    private static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let c = memcmp(x.baseAddress ?? UnsafePointer(bitPattern: 1)!, y.baseAddress ?? UnsafePointer(bitPattern: 1)!, min(x.count, y.count))
                return c < 0 || (c == 0 && x.count < y.count)
            }
        }
    }

    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { writeString(utf8: $0, into: &out) }
    }

    /// A string given as its UTF-8 bytes (taken to be valid UTF-8), quoted and escaped.
    public static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Copy runs that need no escape in one go: most text (Chinese
        // included) has none, and per-byte appends dominated store writes.
        var runStart = 0
        var i = 0
        while i < bytes.count {
            // Eight bytes at a time while none needs an escape.
            if i + 8 <= bytes.count && !needsEscape(UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)) {
                i += 8
                continue
            }
            let b = bytes[i]
            i += 1
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            let i = i - 1
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            runStart = i + 1
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            default:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        out.append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes is a control character, `"` or `\`
    /// (the classic tests for a zero byte and a byte below n, word-wide).
    @inline(__always)
    static func needsEscape(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & high != 0 }
        let below = (x &- 0x2020_2020_2020_2020) & ~x & high != 0
        return below || hasZero(x ^ (0x22 &* ones)) || hasZero(x ^ (0x5C &* ones))
    }
}
