/// RFC 3492 Punycode decoding, for checking IDNA A-labels ("xn--…") in host names.
enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    static func decode(_ input: [UInt8]) -> [Unicode.Scalar]? {
        var output: [UInt32] = []
        var rest = input[...]
        if let delim = input.lastIndex(of: UInt8(ascii: "-")) {
            for b in input[..<delim] {
                guard b < 0x80 else { return nil }
                output.append(UInt32(b))
            }
            rest = input[(delim + 1)...]
        }
        guard !rest.isEmpty || !output.isEmpty else { return nil }
        var n = initialN, i = 0, bias = initialBias
        var it = rest.makeIterator()
        var next = it.next()
        while next != nil {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard let b = next else { return nil }
                next = it.next()
                let digit: Int
                switch b {
                case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = Int(b - UInt8(ascii: "a"))
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = Int(b - UInt8(ascii: "A"))
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(b - UInt8(ascii: "0")) + 26
                default: return nil
                }
                let (prod, o1) = digit.multipliedReportingOverflow(by: w)
                let (sum, o2) = i.addingReportingOverflow(prod)
                guard !o1, !o2 else { return nil }
                i = sum
                let t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias
                if digit < t { break }
                let (nw, o3) = w.multipliedReportingOverflow(by: base - t)
                guard !o3 else { return nil }
                w = nw
                k += base
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF else { return nil }
            output.insert(UInt32(n), at: i)
            i += 1
        }
        var scalars: [Unicode.Scalar] = []
        for v in output {
            guard let s = Unicode.Scalar(v) else { return nil }
            scalars.append(s)
        }
        return scalars
    }

    private static func adapt(_ delta: Int, _ numPoints: Int, _ first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}

/// The IDNA2008 rules (RFC 5891, RFC 5892) a decoded label must meet: no leading
/// combining mark, none of the DISALLOWED exceptions, and the contextual rules.
enum IDNA {
    static func isValidULabel(_ label: [Unicode.Scalar]) -> Bool {
        guard let first = label.first else { return false }
        switch first.properties.generalCategory {
        case .spacingMark, .nonspacingMark, .enclosingMark: return false
        default: break
        }
        if label.count >= 4, label[2] == "-", label[3] == "-" { return false }
        let disallowed: Set<UInt32> = [0x0640, 0x07FA, 0x302E, 0x302F, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303B]
        var hasArabicIndic = false, hasExtendedArabicIndic = false
        for (i, s) in label.enumerated() {
            let v = s.value
            if disallowed.contains(v) { return false }
            let before: Unicode.Scalar? = i > 0 ? label[i - 1] : nil
            let after: Unicode.Scalar? = i + 1 < label.count ? label[i + 1] : nil
            switch v {
            case 0x00B7:  // MIDDLE DOT: only between two 'l'
                guard before == "l", after == "l" else { return false }
            case 0x0375:  // GREEK LOWER NUMERAL SIGN (KERAIA): followed by Greek
                guard let a = after, a.isGreek else { return false }
            case 0x05F3, 0x05F4:  // HEBREW GERESH / GERSHAYIM: preceded by Hebrew
                guard let b = before, b.isHebrew else { return false }
            case 0x30FB:  // KATAKANA MIDDLE DOT: some Hiragana, Katakana or Han in the label
                guard label.contains(where: { $0.isHiraganaKatakanaHan && $0.value != 0x30FB }) else { return false }
            case 0x200D:  // ZERO WIDTH JOINER: after a virama
                guard let b = before, b.properties.canonicalCombiningClass.rawValue == 9 else { return false }
            case 0x200C:  // ZERO WIDTH NON-JOINER: after a virama, or between joining letters
                if let b = before, b.properties.canonicalCombiningClass.rawValue == 9 { break }
                guard joins(label[..<i].reversed()), joins(label[(i + 1)...]) else { return false }
            case 0x0660...0x0669: hasArabicIndic = true
            case 0x06F0...0x06F9: hasExtendedArabicIndic = true
            default: break
            }
        }
        return !(hasArabicIndic && hasExtendedArabicIndic)
    }
}

/// RFC 5892 A.1 asks for a dual- or left/right-joining letter on each side of a
/// ZWNJ, skipping transparent marks. Swift exposes no Joining_Type, so joining
/// letters are approximated by letters of the Arabic-script blocks.
private func joins<S: Sequence>(_ side: S) -> Bool where S.Element == Unicode.Scalar {
    for s in side {
        if s.properties.generalCategory == .nonspacingMark { continue }
        let v = s.value
        let arabic = (0x0620...0x06FF).contains(v) || (0x0750...0x077F).contains(v) || (0x08A0...0x08FF).contains(v)
        return arabic && s.properties.isAlphabetic
    }
    return false
}

/// Script membership by Unicode block, enough for the IDNA contextual rules.
extension Unicode.Scalar {
    var isGreek: Bool { (0x0370...0x03FF).contains(value) || (0x1F00...0x1FFF).contains(value) }
    var isHebrew: Bool { (0x0590...0x05FF).contains(value) || (0xFB1D...0xFB4F).contains(value) }
    var isHiraganaKatakanaHan: Bool {
        (0x3040...0x30FF).contains(value) || (0x31F0...0x31FF).contains(value) || (0xFF66...0xFF9F).contains(value)
            || (0x3400...0x4DBF).contains(value) || (0x4E00...0x9FFF).contains(value) || (0xF900...0xFAFF).contains(value)
            || (0x20000...0x3134F).contains(value) || value == 0x3005 || value == 0x3007 || (0x3021...0x3029).contains(value)
    }
}
