/// A `pattern` made only of ASCII character classes, literals and
/// quantifiers — `^[0-9a-f]{64}$`, `^[a-z][a-z0-9-]{1,62}$` — matched on the
/// string's UTF-8 bytes without Foundation. The standard's own patterns are
/// all of this kind and are checked on every record a node receives; going
/// through `NSRegularExpression` (a bridged string, ICU) cost more than the
/// rest of such a field's checks. Anything else (groups, alternation, `.`,
/// `\s`, negated classes, lazy quantifiers, non-ASCII) is left to ICU: `init`
/// returns nil.
struct SimplePattern: Sendable {
    /// One position of the pattern: a set of ASCII bytes, repeated min...max times.
    struct Atom: Sendable {
        var low: UInt64 = 0, high: UInt64 = 0
        var min = 1, max = 1

        func contains(_ b: UInt8) -> Bool {
            b < 64 ? low & (1 << UInt64(b)) != 0 : b < 128 && high & (1 << UInt64(b - 64)) != 0
        }

        mutating func insert(_ b: UInt8) {
            if b < 64 { low |= 1 << UInt64(b) } else { high |= 1 << UInt64(b - 64) }
        }
    }

    let atoms: [Atom]
    let anchoredStart: Bool
    let anchoredEnd: Bool

    init?(_ pattern: String) {
        let p = Array(pattern.utf8)
        guard p.allSatisfy({ $0 < 128 }) else { return nil }
        var i = 0
        anchoredStart = p.first == UInt8(ascii: "^")
        if anchoredStart { i = 1 }
        var end = p.count
        anchoredEnd = end > i && p[end - 1] == UInt8(ascii: "$") && (end < 2 || p[end - 2] != UInt8(ascii: "\\"))
        if anchoredEnd { end -= 1 }
        var atoms: [Atom] = []
        while i < end {
            var atom = Atom()
            let c = p[i]
            switch c {
            case UInt8(ascii: "["):
                i += 1
                guard i < end, p[i] != UInt8(ascii: "^"), p[i] != UInt8(ascii: "]") else { return nil }
                var previous: UInt8?
                while i < end, p[i] != UInt8(ascii: "]") {
                    if p[i] == UInt8(ascii: "-"), let from = previous, i + 1 < end, p[i + 1] != UInt8(ascii: "]") {
                        // A range; its end must be a plain character.
                        let to = p[i + 1]
                        guard to != UInt8(ascii: "\\"), to != UInt8(ascii: "["), from <= to else { return nil }
                        for b in from...to { atom.insert(b) }
                        previous = nil
                        i += 2
                        continue
                    }
                    if p[i] == UInt8(ascii: "\\") {
                        guard i + 1 < end, Self.escape(p[i + 1], into: &atom) else { return nil }
                        previous = Self.isPunctuation(p[i + 1]) ? p[i + 1] : nil
                        i += 2
                        continue
                    }
                    guard p[i] != UInt8(ascii: "[") else { return nil }
                    atom.insert(p[i])
                    previous = p[i]
                    i += 1
                }
                guard i < end else { return nil }
                i += 1
            case UInt8(ascii: "\\"):
                guard i + 1 < end, Self.escape(p[i + 1], into: &atom) else { return nil }
                i += 2
            default:
                guard Self.isLiteral(c) else { return nil }
                atom.insert(c)
                i += 1
            }
            // The quantifier, if any.
            if i < end {
                switch p[i] {
                case UInt8(ascii: "?"): atom.min = 0; atom.max = 1; i += 1
                case UInt8(ascii: "*"): atom.min = 0; atom.max = .max; i += 1
                case UInt8(ascii: "+"): atom.min = 1; atom.max = .max; i += 1
                case UInt8(ascii: "{"):
                    guard let (lo, hi, next) = Self.braces(p, from: i, end: end) else { return nil }
                    atom.min = lo; atom.max = hi; i = next
                default: break
                }
                // Lazy or possessive forms, or a quantifier of a quantifier.
                if i < end, [UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "{")].contains(p[i]) { return nil }
            }
            atoms.append(atom)
        }
        self.atoms = atoms
    }

    func matches(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { matches($0) }
    }

    func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if anchoredStart { return match(0, 0, bytes) }
        for start in 0...bytes.count where match(0, start, bytes) { return true }
        return false
    }

    /// Atoms from `a` on match `bytes` from `pos`: greedy, backing off one at a time.
    private func match(_ a: Int, _ pos: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a < atoms.count else { return !anchoredEnd || pos == bytes.count }
        let atom = atoms[a]
        var n = 0
        while n < atom.max, pos + n < bytes.count, atom.contains(bytes[pos + n]) { n += 1 }
        guard n >= atom.min else { return false }
        // The last atom needs no backing off: fewer repetitions cannot reach the end sooner.
        if a == atoms.count - 1 { return !anchoredEnd || pos + n == bytes.count }
        while true {
            if match(a + 1, pos + n, bytes) { return true }
            if n == atom.min { return false }
            n -= 1
        }
    }

    /// `{n}`, `{n,}` or `{n,m}` at `i`: the bounds and where the pattern goes on.
    private static func braces(_ p: [UInt8], from i: Int, end: Int) -> (Int, Int, Int)? {
        var j = i + 1
        func number() -> Int? {
            let start = j
            var v = 0
            while j < end, p[j] >= UInt8(ascii: "0"), p[j] <= UInt8(ascii: "9") {
                v = v * 10 + Int(p[j] - UInt8(ascii: "0"))
                guard v < 100_000 else { return nil }
                j += 1
            }
            return j > start ? v : nil
        }
        guard let lo = number() else { return nil }
        var hi = lo
        if j < end, p[j] == UInt8(ascii: ",") {
            j += 1
            if j < end, p[j] == UInt8(ascii: "}") { hi = .max } else {
                guard let h = number(), h >= lo else { return nil }
                hi = h
            }
        }
        guard j < end, p[j] == UInt8(ascii: "}") else { return nil }
        return (lo, hi, j + 1)
    }

    /// `\d`, `\w` and escaped punctuation; other escapes (`\s`, `\b`, `\u…`, …) are ICU's.
    private static func escape(_ c: UInt8, into atom: inout Atom) -> Bool {
        switch c {
        case UInt8(ascii: "d"):
            for b in UInt8(ascii: "0")...UInt8(ascii: "9") { atom.insert(b) }
        case UInt8(ascii: "w"):
            for r in [UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9")] {
                for b in r { atom.insert(b) }
            }
            atom.insert(UInt8(ascii: "_"))
        default:
            guard isPunctuation(c) else { return false }
            atom.insert(c)
        }
        return true
    }

    private static func isPunctuation(_ c: UInt8) -> Bool {
        Array("^$\\.*+?()[]{}|/-".utf8).contains(c)
    }

    /// Characters that stand for themselves outside a class.
    private static func isLiteral(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || Array("-_:,;@#%&=~!'\"<>/ ".utf8).contains(c)
    }
}
