import JSONSchema

/// Chinese identifiers with their real check algorithms:
/// 统一社会信用代码 (GB 32100-2015), 公民身份号码 (GB 11643-1999),
/// 组织机构代码 (GB 11714), 行政区划代码 (GB/T 2260).
public enum ChineseIdentifiers {
    /// The standard's formats, by the names its schemas use.
    public static let formats: [String: FormatCheck] = [
        "uscc": uscc,
        "cn-resident-id": residentID,
        "cn-org-code": orgCode,
        "cn-admin-division": adminDivision,
    ]

    /// Characters of a 统一社会信用代码 and their values 0–30 (no I, O, S, V, Z).
    static let usccCharset = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    static let usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    static let orgWeights = [3, 7, 9, 10, 5, 8, 4, 2]
    static let idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

    // Hot-path checks use no shared heap objects (arrays, sets): their reference
    // counts would make the validating cores contend. Weights are computed.

    /// Whether a two-digit code is a province-level code of GB/T 2260.
    public static func isProvinceCode(_ c: Int) -> Bool {
        switch c {
        case 11...15, 21...23, 31...37, 41...46, 50...54, 61...65, 71, 81, 82: return true
        default: return false
        }
    }


    /// The check character a 17-character 统一社会信用代码 prefix should end with.
    public static func usccCheckCharacter(_ first17: [UInt8]) -> Character? {
        guard first17.count == 17 else { return nil }
        var sum = 0
        for (i, b) in first17.enumerated() {
            guard let v = usccValue(b) else { return nil }
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

    public static let uscc: FormatCheck = { s in Formats.bytes(s) { u in
        guard u.count == 18 else {
            return .invalid("must be 18 characters long; it has \(s.unicodeScalars.count)")
        }
        var sum = 0, weight = 1  // weights are 3^i mod 31
        for i in 0..<17 {
            guard let v = usccValue(u[i]) else { return usccCharacterProblem(u, at: i) }
            sum += v * weight
            weight = weight * 3 % 31
        }
        guard usccValue(u[17]) != nil else { return usccCharacterProblem(u, at: 17) }
        for i in 2..<8 where !Formats.isDigit(u[i]) {
            return .invalid("characters 3–8 must be the 6-digit 行政区划代码")
        }
        let expected = usccCharacter((31 - sum % 31) % 31)
        if expected != u[17] {
            // Some early pilot codes are genuine yet fail the check: a warning, not a drop.
            return .warning("check character is \(Character(Unicode.Scalar(u[17]))), expected \(Character(Unicode.Scalar(expected)))")
        }
        if let orgCheck = orgCheckByte(UnsafeBufferPointer(rebasing: u[8..<16])), orgCheck != u[16] {
            return .warning("embedded 组织机构代码 (characters 9–17) has check character \(Character(Unicode.Scalar(u[16]))), expected \(Character(Unicode.Scalar(orgCheck)))")
        }
        return .valid
    } }

    /// Value 0–30 of a 统一社会信用代码 character, nil for characters codes never use.
    @inline(__always) static func usccValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case UInt8(ascii: "A")...UInt8(ascii: "H"): return Int(b - UInt8(ascii: "A")) + 10
        case UInt8(ascii: "J")...UInt8(ascii: "N"): return Int(b - UInt8(ascii: "J")) + 18
        case UInt8(ascii: "P")...UInt8(ascii: "R"): return Int(b - UInt8(ascii: "P")) + 23
        case UInt8(ascii: "T"), UInt8(ascii: "U"): return Int(b - UInt8(ascii: "T")) + 26
        case UInt8(ascii: "W")...UInt8(ascii: "Y"): return Int(b - UInt8(ascii: "W")) + 28
        default: return nil
        }
    }

    /// The character of value 0–30 (inverse of `usccValue`).
    @inline(__always) static func usccCharacter(_ v: Int) -> UInt8 {
        switch v {
        case 0...9: return 0x30 + UInt8(v)
        case 10...17: return UInt8(ascii: "A") + UInt8(v - 10)
        case 18...22: return UInt8(ascii: "J") + UInt8(v - 18)
        case 23...25: return UInt8(ascii: "P") + UInt8(v - 23)
        case 26, 27: return UInt8(ascii: "T") + UInt8(v - 26)
        default: return UInt8(ascii: "W") + UInt8(v - 28)
        }
    }

    /// The check character of an 8-character 组织机构代码 body, as a byte.
    static func orgCheckByte(_ body: UnsafeBufferPointer<UInt8>) -> UInt8? {
        guard body.count == 8 else { return nil }
        var sum = 0
        for i in 0..<8 {
            let b = body[i]
            let v: Int
            if Formats.isDigit(b) { v = Int(b - 0x30) }
            else if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { v = Int(b - UInt8(ascii: "A")) + 10 }
            else { return nil }
            let w: Int
            switch i { case 0: w = 3; case 1: w = 7; case 2: w = 9; case 3: w = 10; case 4: w = 5; case 5: w = 8; case 6: w = 4; default: w = 2 }
            sum += v * w
        }
        let c = 11 - sum % 11
        return c == 10 ? UInt8(ascii: "X") : c == 11 ? 0x30 : 0x30 + UInt8(c)
    }

    private static func usccCharacterProblem(_ u: UnsafeBufferPointer<UInt8>, at i: Int) -> FormatVerdict {
        guard u[i] < 0x80 else { return .invalid("has a character that is not allowed at position \(i + 1)") }
        let c = Character(Unicode.Scalar(u[i]))
        if c.isLowercase { return .invalid("must be written in capital letters (character \(i + 1) is '\(c)')") }
        if "IOSVZ".contains(c) { return .invalid("cannot contain '\(c)' (character \(i + 1)); codes never use I, O, S, V or Z — often a misread 1, 0, 5, U or 2") }
        return .invalid("has a character that is not allowed at position \(i + 1)")
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
    public static let residentID: FormatCheck = { s in Formats.bytes(s) { u in
        if u.count == 15 && u.allSatisfy(Formats.isDigit) {
            return .invalid("is an old 15-digit number; convert it to the 18-character form (GB 11643-1999)")
        }
        guard u.count == 18 else { return .invalid("must be 18 characters long") }
        var sum = 0, weight = 7  // weights are 2^(17-i) mod 11: 7, 9, 10, 5, …
        for i in 0..<17 {
            guard Formats.isDigit(u[i]) else { return .invalid("must have digits in its first 17 characters") }
            sum += Int(u[i] - 0x30) * weight
            weight = weight % 2 == 0 ? weight / 2 : (weight + 11) / 2
        }
        if u[17] == UInt8(ascii: "x") { return .invalid("must end in a capital X, not x") }
        guard Formats.isDigit(u[17]) || u[17] == UInt8(ascii: "X") else { return .invalid("must end in a digit or X") }
        let province = Formats.digits(u, 0, 2)!
        guard isProvinceCode(province) || province == 83 else {
            return .invalid("does not start with a valid province code (digits 1–2)")
        }
        let y = Formats.digits(u, 6, 4)!, m = Formats.digits(u, 10, 2)!, d = Formats.digits(u, 12, 2)!
        guard y >= 1850, (1...12).contains(m), d >= 1, d <= DateFormats.daysIn(month: m, year: y) else {
            return .invalid("has a birth date (digits 7–14) that is not a real date")
        }
        let r = sum % 11  // check = "10X98765432"[r]
        let expected: UInt8 = r == 0 ? 0x31 : r == 1 ? 0x30 : r == 2 ? UInt8(ascii: "X") : 0x30 + UInt8(12 - r)
        if expected != u[17] {
            return .invalid("check character (the last one) is wrong: the number has a typo")
        }
        return .valid
    } }


    public static let adminDivision: FormatCheck = { s in Formats.bytes(s) { u in
        guard u.count == 6, u.allSatisfy(Formats.isDigit) else {
            return .invalid("must be a 6-digit 行政区划代码 (e.g. 110108)")
        }
        guard isProvinceCode(Formats.digits(u, 0, 2)!) else {
            return .invalid("does not start with a valid province code (\(String(decoding: UnsafeBufferPointer(rebasing: u[0..<2]), as: UTF8.self)))")
        }
        return .valid
    } }
}
