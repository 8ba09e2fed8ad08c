/// A strict RFC 8259 parser working directly on UTF-8 bytes, with no detour
/// through Foundation or `Any`. It fills a `JSONTape` (what the validator
/// walks); a tree is built from the tape.
public struct JSONParser {
    /// Deep nesting is refused rather than overflowing the stack on hostile input.
    public static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0
    private var depth = 0
    private var entries: [JSONTape.Entry]
    /// Content of strings with escapes, appended after the text in the tape's bytes.
    private var unescaped: [UInt8] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>, entries: [JSONTape.Entry]) {
        self.bytes = bytes
        self.entries = entries
    }

    /// Parses one JSON text; trailing non-whitespace is an error.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        try JSONTape(parsing: bytes).value()
    }

    /// Fills `tape`, whose bytes already hold `text`, with the entries of `text`.
    static func parse(_ text: UnsafeBufferPointer<UInt8>, into tape: inout JSONTape) throws(JSONParseError) {
        var p = JSONParser(text, entries: tape.entries)
        tape.entries = []
        defer {
            tape.entries = p.entries
            tape.bytes.append(contentsOf: p.unescaped)
        }
        p.skipWhitespace()
        try p.parseValue(key: false)
        p.skipWhitespace()
        if p.pos < text.count {
            throw p.error("unexpected \(p.describeByte(at: p.pos)) after the end of the JSON value")
        }
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        do {
            return try bytes.withUnsafeBufferPointer { try parse($0) }
        } catch let e as JSONParseError {
            throw e
        } catch {
            fatalError("unreachable")
        }
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError.at(offset ?? pos, in: bytes, reason: reason)
    }

    private func describeByte(at i: Int) -> String {
        guard i < bytes.count else { return "end of input" }
        let b = bytes[i]
        if b >= 0x20 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    /// Appends the value at `pos` (a member name when `key`).
    private mutating func parseValue(key: Bool) throws(JSONParseError) {
        guard pos < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): try parseContainer(object: true)
        case UInt8(ascii: "["): try parseContainer(object: false)
        case UInt8(ascii: "\""): try parseString(key: key)
        case UInt8(ascii: "t"): try expectLiteral("true"); appendBool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); appendBool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); entries.append(JSONTape.Entry(kind: .null))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw error("unexpected \(describeByte(at: pos)), expected a value")
        }
    }

    private mutating func appendBool(_ b: Bool) {
        var e = JSONTape.Entry(kind: .bool)
        e.payload = b ? 1 : 0
        entries.append(e)
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        let start = pos
        guard pos + n <= bytes.count else { throw error("unexpected end of input, expected '\(word)'") }
        let w = word.utf8Start
        for i in 0..<n where bytes[pos + i] != w[i] {
            throw error("invalid literal, expected '\(word)'", at: start)
        }
        pos += n
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONParser.maxDepth { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
    }

    /// An object or array: its entry, then its members or items; count, end
    /// and text range are filled in once it is closed.
    private mutating func parseContainer(object: Bool) throws(JSONParseError) {
        try enter()
        let start = pos
        let at = entries.count
        entries.append(JSONTape.Entry(kind: object ? .object : .array))
        let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        pos += 1
        var count: UInt32 = 0
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == close {
            pos += 1
        } else {
            while true {
                skipWhitespace()
                if object {
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
                        throw error(pos < bytes.count ? "expected a member name in double quotes, found \(describeByte(at: pos))" : "unexpected end of input inside an object")
                    }
                    try parseString(key: true)
                    skipWhitespace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
                        throw error("expected ':' after member name \"\(lastString)\"")
                    }
                    pos += 1
                    skipWhitespace()
                }
                try parseValue(key: false)
                count += 1
                skipWhitespace()
                guard pos < bytes.count else { throw error(object ? "unexpected end of input, object not closed" : "unexpected end of input, array not closed") }
                let c = bytes[pos]
                pos += 1
                if c == UInt8(ascii: ",") { continue }
                if c == close { break }
                throw error(object ? "expected ',' or '}' in object, found \(describeByte(at: pos - 1))" : "expected ',' or ']' in array, found \(describeByte(at: pos - 1))", at: pos - 1)
            }
        }
        depth -= 1
        entries[at].count = count
        entries[at].end = UInt32(entries.count)
        entries[at].offset = UInt32(start)
        entries[at].length = UInt32(pos - start)
    }

    /// The last string parsed, for messages.
    private var lastString: String {
        let e = entries[entries.count - 1]
        let base = bytes.count
        let content = Int(e.offset) >= base ? Array(unescaped[(Int(e.offset) - base)...].prefix(Int(e.length))) : Array(bytes[Int(e.offset)..<Int(e.offset + e.length)])
        return String(decoding: content, as: UTF8.self)
    }

    private mutating func parseString(key: Bool) throws(JSONParseError) {
        let start = pos
        pos += 1
        let contentStart = pos
        var ascii = true
        // Fast path: no escapes. Eight bytes at a time while none of them is a
        // quote, a backslash or a control character.
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            var high: UInt64 = 0
            while pos + 8 <= bytes.count {
                let x = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
                let q = x ^ (ones &* 0x22), bs = x ^ (ones &* 0x5C)
                let special = ((q &- ones) & ~q) | ((bs &- ones) & ~bs) | ((x &- ones &* 0x20) & ~x)
                if special & highs != 0 { break }
                high |= x
                pos += 8
            }
            if high & highs != 0 { ascii = false }
        }
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[contentStart..<pos])
                pos += 1
                if !ascii && !Self.isValidUTF8(slice) { throw error("string is not valid UTF-8", at: start) }
                entries.append(.string(at: contentStart, slice, ascii: ascii, hash: key ? KeyHash.of(slice) : 0))
                return
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character 0x\(String(b, radix: 16)) must be escaped inside a string") }
            if b >= 0x80 { ascii = false }
            pos += 1
        }
        guard pos < bytes.count else { throw error("unexpected end of input, string not closed", at: start) }
        // Slow path with escapes: the content goes after the text.
        var out: [UInt8] = Array(bytes[contentStart..<pos])
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                let valid = out.withUnsafeBufferPointer { Self.isValidUTF8($0) }
                guard valid else { throw error("string is not valid UTF-8", at: start) }
                entries.append(out.withUnsafeBufferPointer {
                    .string(at: bytes.count + unescaped.count, $0, ascii: !$0.contains { $0 >= 0x80 }, hash: key ? KeyHash.of($0) : 0)
                })
                unescaped.append(contentsOf: out)
                return
            }
            if b < 0x20 { throw error("control character 0x\(String(b, radix: 16)) must be escaped inside a string") }
            if b != UInt8(ascii: "\\") { out.append(b); pos += 1; continue }
            pos += 1
            guard pos < bytes.count else { break }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    if pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                        pos += 2
                        let low = try parseHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            throw error("invalid UTF-16 surrogate pair in \\u escape", at: pos - 6)
                        }
                    } else {
                        throw error("lone UTF-16 surrogate in \\u escape", at: pos - 6)
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw error("lone UTF-16 surrogate in \\u escape", at: pos - 6)
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string", at: pos - 2)
            }
        }
        throw error("unexpected end of input, string not closed", at: start)
    }

    /// Well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no
    /// surrogates, nothing above U+10FFFF.
    static func isValidUTF8(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = u.count
        while i < n {
            let b = u[i]
            if b < 0x80 { i += 1; continue }
            var need = 0
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return false
            }
            guard i + need < n, u[i + 1] >= lo, u[i + 1] <= hi else { return false }
            var k = 2
            while k <= need {
                guard u[i + k] & 0xC0 == 0x80 else { return false }
                k += 1
            }
            i += need + 1
        }
        return true
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    private mutating func parseNumber() throws(JSONParseError) {
        let start = pos
        var negative = false
        if bytes[pos] == UInt8(ascii: "-") { negative = true; pos += 1 }
        guard pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 else {
            throw error("invalid number: expected a digit", at: pos)
        }
        var value: Int64 = 0
        var overflow = false
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 {
                throw error("invalid number: leading zeros are not allowed", at: start)
            }
        } else {
            while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 {
                let d = Int64(bytes[pos] - 0x30)
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(d)  // accumulate negatively to reach Int64.min
                if o1 || o2 { overflow = true }
                value = s
                pos += 1
            }
        }
        var isInteger = true
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 else {
                throw error("invalid number: expected a digit after '.'", at: pos)
            }
            while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 else {
                throw error("invalid number: expected a digit in the exponent", at: pos)
            }
            while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 { pos += 1 }
        }
        if isInteger && !overflow && (negative || value != Int64.min) {
            var e = JSONTape.Entry(kind: .int)
            e.payload = UInt64(bitPattern: negative ? value : -value)
            entries.append(e)
            return
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        guard let d = Double(text) else { throw error("invalid number", at: start) }
        var e = JSONTape.Entry(kind: .double)
        e.payload = d.bitPattern
        entries.append(e)
    }
}
