/// Chinese identifiers with their real check algorithms:
/// 统一社会信用代码 (GB 32100-2015), 公民身份号码 (GB 11643-1999),
/// 组织机构代码 (GB 11714), 行政区划代码 (GB/T 2260).
public enum ChineseIdentifiers {
    /// Characters of a 统一社会信用代码 and their values 0–30 (no I, O, S, V, Z).
    static let usccCharset = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    static let usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    static let orgWeights = [3, 7, 9, 10, 5, 8, 4, 2]
    static let idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

    /// Two-digit province-level codes of GB/T 2260 (83: 台湾居民居住证 numbers).
    public static let provinceCodes: Set<Int> = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    ]

    private static let usccValue: [UInt8: Int] = Dictionary(uniqueKeysWithValues: usccCharset.enumerated().map { ($1, $0) })

    /// The check character a 17-character 统一社会信用代码 prefix should end with.
    public static func usccCheckCharacter(_ first17: [UInt8]) -> Character? {
        guard first17.count == 17 else { return nil }
        var sum = 0
        for (i, b) in first17.enumerated() {
            guard let v = usccValue[b] else { return nil }
            sum += v * usccWeights[i]
        }
        let c = (31 - sum % 31) % 31
        return Character(Unicode.Scalar(usccCharset[c]))
    }

    /// The check character of an 8-character 组织机构代码 body.
    public static func orgCheckCharacter(_ body: [UInt8]) -> Character? {
        guard body.count == 8 else { return nil }
        var sum = 0
        for (i, b) in body.enumerated() {
            let v: Int
            if Formats.isDigit(b) { v = Int(b - 0x30) }
            else if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { v = Int(b - UInt8(ascii: "A")) + 10 }
            else { return nil }
            sum += v * orgWeights[i]
        }
        let c = 11 - sum % 11
        return c == 10 ? "X" : c == 11 ? "0" : Character(String(c))
    }

    /// The check character of the first 17 digits of a 公民身份号码.
    public static func residentIDCheckCharacter(_ first17: [UInt8]) -> Character? {
        guard first17.count == 17, first17.allSatisfy(Formats.isDigit) else { return nil }
        var sum = 0
        for (i, b) in first17.enumerated() { sum += Int(b - 0x30) * idWeights[i] }
        return Array("10X98765432")[sum % 11]
    }

    public static let uscc: FormatCheck = { s in
        let u = Array(s.utf8)
        guard u.count == 18 else {
            return .invalid("must be 18 characters long; it has \(s.unicodeScalars.count)")
        }
        for (i, b) in u.enumerated() where usccValue[b] == nil {
            let c = Character(Unicode.Scalar(b))
            if c.isLowercase { return .invalid("must be written in capital letters (character \(i + 1) is '\(c)')") }
            if "IOSVZ".contains(c) { return .invalid("cannot contain '\(c)' (character \(i + 1)); codes never use I, O, S, V or Z — often a misread 1, 0, 5, U or 2") }
            return .invalid("has a character that is not allowed at position \(i + 1)")
        }
        guard u[2..<8].allSatisfy(Formats.isDigit) else {
            return .invalid("characters 3–8 must be the 6-digit 行政区划代码")
        }
        let expected = usccCheckCharacter(Array(u[0..<17]))!
        let actual = Character(Unicode.Scalar(u[17]))
        if expected != actual {
            // Some early pilot codes are genuine yet fail the check: a warning, not a drop.
            return .warning("check character is \(actual), expected \(expected)")
        }
        if let orgCheck = orgCheckCharacter(Array(u[8..<16])), orgCheck != Character(Unicode.Scalar(u[16])) {
            return .warning("embedded 组织机构代码 (characters 9–17) has check character \(Character(Unicode.Scalar(u[16]))), expected \(orgCheck)")
        }
        return .valid
    }

    public static let orgCode: FormatCheck = { s in
        var u = Array(s.utf8)
        if u.count == 10 && u[8] == UInt8(ascii: "-") { u.remove(at: 8) }
        guard u.count == 9 else { return .invalid("must be 9 characters, written XXXXXXXX-X or XXXXXXXXX") }
        guard let expected = orgCheckCharacter(Array(u[0..<8])) else {
            return .invalid("may only contain digits and capital letters")
        }
        let actual = Character(Unicode.Scalar(u[8]))
        if expected != actual { return .invalid("check character is \(actual), expected \(expected)") }
        return .valid
    }

    /// Never echoes the number itself: it is personal information.
    public static let residentID: FormatCheck = { s in
        let u = Array(s.utf8)
        if u.count == 15 && u.allSatisfy(Formats.isDigit) {
            return .invalid("is an old 15-digit number; convert it to the 18-character form (GB 11643-1999)")
        }
        guard u.count == 18 else { return .invalid("must be 18 characters long") }
        guard u[0..<17].allSatisfy(Formats.isDigit) else { return .invalid("must have digits in its first 17 characters") }
        if u[17] == UInt8(ascii: "x") { return .invalid("must end in a capital X, not x") }
        guard Formats.isDigit(u[17]) || u[17] == UInt8(ascii: "X") else { return .invalid("must end in a digit or X") }
        guard provinceCodes.contains(Formats.digits(u, 0, 2)!) || Formats.digits(u, 0, 2) == 83 else {
            return .invalid("does not start with a valid province code (digits 1–2)")
        }
        if DateFormats.dateProblem(Array("\(String(decoding: u[6..<10], as: UTF8.self))-\(String(decoding: u[10..<12], as: UTF8.self))-\(String(decoding: u[12..<14], as: UTF8.self))".utf8)) != nil
            || Formats.digits(u, 6, 4)! < 1850 {
            return .invalid("has a birth date (digits 7–14) that is not a real date")
        }
        let expected = residentIDCheckCharacter(Array(u[0..<17]))!
        if expected != Character(Unicode.Scalar(u[17])) {
            return .invalid("check character (the last one) is wrong: the number has a typo")
        }
        return .valid
    }

    public static let adminDivision: FormatCheck = { s in
        let u = Array(s.utf8)
        guard u.count == 6, u.allSatisfy(Formats.isDigit) else {
            return .invalid("must be a 6-digit 行政区划代码 (e.g. 110108)")
        }
        guard provinceCodes.contains(Formats.digits(u, 0, 2)!) else {
            return .invalid("does not start with a valid province code (\(String(decoding: u[0..<2], as: UTF8.self)))")
        }
        return .valid
    }
}
