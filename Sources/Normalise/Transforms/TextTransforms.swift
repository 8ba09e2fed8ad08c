import Foundation

/// The text clean-ups of a mapping, written over Unicode scalars by hand: a
/// legacy column is cleaned per row, and Foundation's transforms (ICU) cost
/// ten times as much for the same output (Benchmarks/README.md).
enum TextTransforms {
    /// White space as agency exports have it: ASCII space and controls, the
    /// ideographic space U+3000, no-break spaces, and the byte-order mark
    /// (Excel leaves one at the start of a cell now and then).
    @inline(__always)
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }

    /// The length in bytes of the white space (as `isSpace`) that starts at
    /// `i`, or 0: the byte-level form of `isSpace`, so that the common case
    /// (nothing to clean) never decodes the text.
    @inline(__always)
    static func spaceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return (0x09...0x0D).contains(c) || c == 0x20 ? 1 : 0 }
        func next(_ k: Int) -> UInt8 { i + k < b.count ? b[i + k] : 0 }
        switch c {
        case 0xC2: return next(1) == 0x85 || next(1) == 0xA0 ? 2 : 0
        case 0xE1: return next(1) == 0x9A && next(2) == 0x80 ? 3 : 0
        case 0xE2:
            let (x, y) = (next(1), next(2))
            return x == 0x80 && ((0x80...0x8B).contains(y) || y == 0xA8 || y == 0xA9 || y == 0xAF) || x == 0x81 && y == 0x9F ? 3 : 0
        case 0xE3: return next(1) == 0x80 && next(2) == 0x80 ? 3 : 0
        case 0xEF: return next(1) == 0xBB && next(2) == 0xBF ? 3 : 0
        default: return 0
        }
    }

    /// The text's UTF-8 bytes, without a copy for a native string.
    @inline(__always)
    static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = text.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Whether two texts have the same UTF-8 bytes (not Swift's `==`, which
    /// compares by canonical equivalence, normalising non-ASCII text first).
    @inline(__always)
    static func sameBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
    }

    /// Whether the text starts or ends with white space.
    static func hasSpaceAtEnds(_ text: String) -> Bool {
        withBytes(text) { b in
            guard !b.isEmpty else { return false }
            if spaceLength(b, at: 0) > 0 { return true }
            var last = b.count - 1
            while last > 0 && b[last] & 0xC0 == 0x80 { last -= 1 }
            return spaceLength(b, at: last) > 0
        }
    }

    /// Whether the text is empty or white space only, without making a trimmed copy.
    static func isBlank(_ text: String) -> Bool {
        withBytes(text) { b in
            var i = 0
            while i < b.count {
                let n = spaceLength(b, at: i)
                if n == 0 { return false }
                i += n
            }
            return true
        }
    }

    static func trim(_ text: String) -> String {
        guard hasSpaceAtEnds(text) else { return text }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    /// Trims, and turns every run of white space inside into one ASCII space.
    static func collapse(_ text: String) -> String {
        // Most values need nothing: no space at either end, no space but single ASCII ones inside.
        let clean = withBytes(text) { b in
            var previousSpace = true
            var i = 0
            while i < b.count {
                let n = spaceLength(b, at: i)
                if n > 0 && (previousSpace || b[i] != 0x20) { return false }
                previousSpace = n > 0
                i += 1
            }
            return !previousSpace
        }
        if clean { return text }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for s in text.unicodeScalars {
            if isSpace(s) { pendingSpace = !out.isEmpty; continue }
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.append(s)
        }
        return String(out)
    }

    /// 全角 → 半角: the full-width forms U+FF01–FF5E to ASCII, the ideographic
    /// space to a space. Nothing else: unlike NFKC, ① and ㎡ stay as they are,
    /// and so do the full-width brackets of document numbers (〔〕 are not forms).
    static func halfwidth(_ text: String) -> String {
        // U+FF01–FF5E are EF BC 81 … EF BD 9E in UTF-8; U+3000 is E3 80 80.
        let any = withBytes(text) { b in
            var i = 0
            while i + 2 < b.count {
                let c = b[i]
                if c == 0xEF && (b[i + 1] == 0xBC && b[i + 2] >= 0x81 || b[i + 1] == 0xBD && b[i + 2] <= 0x9E) { return true }
                if c == 0xE3 && b[i + 1] == 0x80 && b[i + 2] == 0x80 { return true }
                i += 1
            }
            return false
        }
        guard any else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s.value {
            case 0xFF01...0xFF5E: out.append(Unicode.Scalar(s.value - 0xFEE0)!)
            case 0x3000: out.append(" ")
            default: out.append(s)
            }
        }
        return String(out)
    }

    /// ASCII letters only: Chinese has no case, and other scripts' case rules
    /// (Turkish dotless i) have no place in codes.
    static func upper(_ text: String) -> String {
        guard text.utf8.contains(where: { (0x61...0x7A).contains($0) }) else { return text }
        return mapASCII(text) { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
    }

    static func lower(_ text: String) -> String {
        guard text.utf8.contains(where: { (0x41...0x5A).contains($0) }) else { return text }
        return mapASCII(text) { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
    }

    /// Every occurrence of `from` replaced by `to`, compared as UTF-8 bytes
    /// (Foundation's replacingOccurrences costs ten times as much per value).
    static func replace(_ text: String, _ from: String, _ to: String) -> String {
        guard let f0 = from.utf8.first, withBytes(text, { $0.contains(f0) }) else { return text }
        let t = Array(text.utf8), f = Array(from.utf8)
        guard t.count >= f.count else { return text }
        var out: [UInt8] = []
        var i = 0, changed = false
        while i < t.count {
            if t[i] == f[0], i + f.count <= t.count, t[i..<(i + f.count)].elementsEqual(f) {
                out += to.utf8
                i += f.count
                changed = true
            } else {
                out.append(t[i])
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    private static func mapASCII(_ text: String, _ f: (UInt32) -> UInt32) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars { out.append(s.isASCII ? Unicode.Scalar(f(s.value))! : s) }
        return String(out)
    }

    /// A digit 0–9, ASCII or full-width, or nil.
    @inline(__always)
    static func digit(_ s: Unicode.Scalar) -> Int? {
        switch s.value {
        case 0x30...0x39: Int(s.value - 0x30)
        case 0xFF10...0xFF19: Int(s.value - 0xFF10)
        default: nil
        }
    }
}
