/// Finds where in a record's text a JSON Pointer points, to give findings a line
/// number. Only runs on the error path, so it re-scans rather than have the
/// parser record positions for every value.
enum JSONLocator {
    /// Byte offset of the value at `tokens`, or of the deepest ancestor found.
    static func offset(of tokens: [String], in bytes: UnsafeBufferPointer<UInt8>) -> Int {
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
