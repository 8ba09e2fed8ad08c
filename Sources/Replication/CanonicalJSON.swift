import Foundation
import Standard

/// RFC 8785 JSON Canonicalization Scheme: members sorted by UTF-16 code units,
/// no insignificant white space, minimal string escapes, ECMAScript number form.
/// The content hash of a record body is SHA-256 over these bytes, so every node
/// computes the same hash for the same body.
///
/// Integers are written exactly (RFC 8785 reads all numbers as doubles; the
/// standard keeps integers below 2^53, where the two agree).
public enum CanonicalJSON {
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(value, into: &out)
        return out
    }

    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: number(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            let order = o.keys.indices.sorted { o.keys[$0].utf16.lexicographicallyPrecedes(o.keys[$1].utf16) }
            out.append(UInt8(ascii: "{"))
            for (n, i) in order.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                writeString(o.keys[i], into: &out)
                out.append(UInt8(ascii: ":"))
                write(o.values[i], into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// JSONWriter already escapes exactly as RFC 8785 asks: `"` `\\` and the
    /// short forms \b \t \n \f \r, other controls as \u00xx, nothing else.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        JSONWriter.writeString(s, into: &out)
    }

    /// ECMAScript Number::toString of a finite double (shortest round-trip digits).
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == 0 { return "0" }
        if d < 0 { return "-" + number(-d) }
        // Swift's description gives the shortest round-trip digits; re-lay them out.
        let text = "\(d)"
        var mantissa = text, exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exponent = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        var intPart = mantissa, fracPart = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = String(mantissa[..<dot])
            fracPart = String(mantissa[mantissa.index(after: dot)...])
        }
        var digits = intPart + fracPart
        var point = intPart.count + exponent  // decimal point after this many digits
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let k = digits.count, n = point
        if k <= n && n <= 21 { return digits + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return String(digits.prefix(n)) + "." + String(digits.dropFirst(n)) }
        if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + digits }
        let e = n - 1
        let sign = e >= 0 ? "+" : "-"
        let m = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
        return m + "e" + sign + String(abs(e))
    }
}
