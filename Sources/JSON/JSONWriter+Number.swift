import Foundation

extension JSONWriter {
    /// The decimal digits of `v`, at least `minimumDigits` of them (zeros in
    /// front), appended without making a string: clocks and counters are
    /// written for every version stored or sent.
    public static func writeDecimal(_ v: UInt64, minimumDigits: Int = 1, into out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for UInt64.max's 20
        let n = withUnsafeMutableBytes(of: &digits) { d -> Int in
            var v = v, i = d.count
            repeat {
                i -= 1
                d[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            while d.count - i < min(minimumDigits, d.count) {
                i -= 1
                d[i] = UInt8(ascii: "0")
            }
            return i
        }
        withUnsafeBytes(of: &digits) { out.append(contentsOf: $0[n...]) }
    }

    /// ECMAScript Number::toString of a finite double (shortest round-trip digits).
    public static func number(_ d: Double) -> String {
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
