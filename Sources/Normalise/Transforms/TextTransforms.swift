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

    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    /// Trims, and turns every run of white space inside into one ASCII space.
    static func collapse(_ text: String) -> String {
        // Most values need nothing: no space at either end, no space but single ASCII ones inside.
        var previousSpace = true
        var clean = true
        for s in text.unicodeScalars {
            let space = isSpace(s)
            if space && (previousSpace || s != " ") { clean = false; break }
            previousSpace = space
        }
        if clean && !previousSpace { return text }
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
        guard text.unicodeScalars.contains(where: { (0xFF01...0xFF5E).contains($0.value) || $0.value == 0x3000 }) else { return text }
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
        let t = Array(text.utf8), f = Array(from.utf8)
        guard !f.isEmpty, t.count >= f.count else { return text }
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
