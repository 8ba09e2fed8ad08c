#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Finds where in a record's text a JSON Pointer points, to give findings a line
/// number. Only runs on the error path, so it re-scans rather than have the
/// parser record positions for every value.
public enum JSONLocator {
    /// Whether `"name"` occurs in the bytes (memchr for the name's first byte, then a compare).
    private static func contains(quoted name: UnsafeBufferPointer<UInt8>, in base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard let first = name.first else { return true }
        var at = 1
        while at + name.count < count, let hit = memchr(base + at, Int32(first), count - at - name.count) {
            let i = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            if base[i - 1] == UInt8(ascii: "\""), base[i + name.count] == UInt8(ascii: "\""), memcmp(base + i, name.baseAddress!, name.count) == 0 {
                return true
            }
            at = i + 1
        }
        return false
    }

    /// Byte offset of the value at `tokens`, or of the deepest ancestor found.
    public static func offset(of tokens: [String], in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var s = Scanner(bytes: bytes)
        s.skipWS()
        var found = s.pos
        for t in tokens {
            guard s.pos < bytes.count else { break }
            if bytes[s.pos] == UInt8(ascii: "{") {
                guard s.enterMember(t) else { break }
            } else if bytes[s.pos] == UInt8(ascii: "["), let i = Int(t) {
                guard s.enterItem(i) else { break }
            } else { break }
            found = s.pos
        }
        return found
    }

    /// Byte range of the value of the top-level member `key` of an object,
    /// found by scanning, without parsing or allocating; nil when the object
    /// has no such member. A received record's body is hashed as it came when
    /// it came in canonical form, and a batch's end line is told from its
    /// record lines without parsing them. On text that is not JSON the answer
    /// means nothing (it never reads outside `bytes`): callers confirm by parsing
    /// or hashing what it found.
    public static func memberRange(_ key: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let k = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        // Names are compared as written, so the quoted name must occur: most
        // lines asked about (a batch's record lines, for its end line) are
        // answered by one vectorised search instead of a scan of every member.
        guard let base = bytes.baseAddress, Self.contains(quoted: k, in: base, bytes.count) else { return nil }
        func skipWS(_ at: Int) -> Int {
            var j = at
            while j < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[j]) { j += 1 }
            return j
        }
        func trimmed(_ start: Int, _ end: Int) -> Range<Int> {
            var e = end
            while e > start, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[e - 1]) { e -= 1 }
            return start..<e
        }
        var depth = 0, i = 0
        var value: Int?
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                let start = i + 1
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                let end = min(i, bytes.count)
                i += 1
                // A member name of the top-level object, if a ':' follows.
                if value == nil, depth == 1, end - start == k.count, memcmp(bytes.baseAddress! + start, k.baseAddress!, k.count) == 0 {
                    let colon = skipWS(i)
                    if colon < bytes.count, bytes[colon] == UInt8(ascii: ":") {
                        value = skipWS(colon + 1)
                        i = value!
                    }
                }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                // The top-level object closes: its last member's value ends here.
                if depth == 0 { return value.map { trimmed($0, i) } }
            case UInt8(ascii: ","):
                if depth == 1, let v = value { return trimmed(v, i) }
            default:
                break
            }
            i += 1
        }
        return nil
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var pos = 0

        mutating func skipWS() {
            while pos < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[pos]) { pos += 1 }
        }

        mutating func readString() -> String? {
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { return nil }
            let start = pos
            pos += 1
            while pos < bytes.count, bytes[pos] != UInt8(ascii: "\"") {
                if bytes[pos] == UInt8(ascii: "\\") { pos += 1 }
                pos += 1
            }
            pos += 1
            let text = UnsafeBufferPointer(rebasing: bytes[start..<min(pos, bytes.count)])
            if case .string(let s)? = try? JSONParser.parse(text) { return s }
            return nil
        }

        /// Skips one value of any kind.
        mutating func skipValue() {
            skipWS()
            guard pos < bytes.count else { return }
            switch bytes[pos] {
            case UInt8(ascii: "\""): _ = readString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while pos < bytes.count {
                    let b = bytes[pos]
                    if b == UInt8(ascii: "\"") { _ = readString(); continue }
                    if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
                    if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 { pos += 1; return }
                    }
                    pos += 1
                }
            default:
                while pos < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(bytes[pos]) { pos += 1 }
            }
        }

        mutating func enterMember(_ key: String) -> Bool {
            pos += 1
            while true {
                skipWS()
                guard let k = readString() else { return false }
                skipWS()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { return false }
                pos += 1
                skipWS()
                if k == key { return true }
                skipValue()
                skipWS()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ",") else { return false }
                pos += 1
            }
        }

        mutating func enterItem(_ index: Int) -> Bool {
            pos += 1
            for _ in 0..<index {
                skipValue()
                skipWS()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ",") else { return false }
                pos += 1
            }
            skipWS()
            return true
        }
    }
}
