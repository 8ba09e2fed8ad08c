/// Dates as agency tables write them: `2023-05-01`, `2023/5/1`, `2023.05.01`,
/// `20230501`, `2023年5月1日`, with full-width digits or not, each with or
/// without a time part (`12:30`, `12:30:05.5`, `12时30分`, a `T`, a zone). A
/// day the calendar does not have (2月30日) is an error, never rolled over
/// into the next month as date libraries do.
struct ParsedDate: Equatable {
    var year: Int, month: Int, day: Int
    var hour = 0, minute = 0, second = 0
    /// Digits after the seconds' point, as written.
    var fraction = ""
    /// Minutes east of UTC, when the text gave a zone.
    var zoneMinutes: Int?
    var hasTime = false

    /// `YYYY-MM-DD`.
    var isoDate: String {
        var out: [UInt8] = []
        out.reserveCapacity(10)
        writeDate(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3339 with the text's zone, else `zone` (minutes east of UTC).
    func isoDateTime(defaultZone zone: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        writeDate(into: &out)
        out.append(UInt8(ascii: "T"))
        Self.append(hour, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.append(minute, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.append(second, width: 2, to: &out)
        if !fraction.isEmpty { out.append(UInt8(ascii: ".")); out += fraction.utf8 }
        let z = zoneMinutes ?? zone
        if z == 0 && zoneMinutes != nil {
            out.append(UInt8(ascii: "Z"))
        } else {
            out.append(UInt8(ascii: z < 0 ? "-" : "+"))
            Self.append(abs(z) / 60, width: 2, to: &out)
            out.append(UInt8(ascii: ":"))
            Self.append(abs(z) % 60, width: 2, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    // Written as bytes: four dates a row, and string interpolation with
    // padding cost more than parsing them.
    private func writeDate(into out: inout [UInt8]) {
        Self.append(year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.append(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.append(day, width: 2, to: &out)
    }

    /// `n` (not negative, at most `width` digits after checking) in decimal, zero-padded to `width`.
    private static func append(_ n: Int, width: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var n = n
        if n >= divisor * 10 { out += String(n).utf8; return }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(n / divisor))
            n %= divisor
            divisor /= 10
        }
    }
}

enum DateProblem: Error, Equatable {
    /// Not written in any of the accepted styles.
    case unreadable
    /// Written well, but the calendar has no such day or time (2023-02-30, 25:00).
    case noSuchDate(String)
}

enum DateParser {
    static func parse(_ text: String) throws(DateProblem) -> ParsedDate {
        var p = Scanner(Array(TextTransforms.trim(text).unicodeScalars))
        guard let lead = p.number(maxDigits: 15) else { throw .unreadable }
        var d: ParsedDate
        /// Digits `from..<to` of the lead, counted from its start.
        func value(_ from: Int, _ to: Int) -> Int {
            var v = lead.value
            for _ in to..<lead.digits { v /= 10 }
            var m = 1
            for _ in from..<to { m *= 10 }
            return v % m
        }
        switch lead.digits {
        case 8, 12, 14:
            // 20230501, 202305011230, 20230501123005: compact, as databases keep them.
            d = ParsedDate(year: value(0, 4), month: value(4, 6), day: value(6, 8))
            if lead.digits >= 12 {
                d.hasTime = true
                d.hour = value(8, 10); d.minute = value(10, 12)
                if lead.digits == 14 { d.second = value(12, 14) }
                guard p.atEnd else { throw .unreadable }
            }
        case 4:
            let sep = p.peek
            switch sep {
            case "-", "/", ".":
                p.advance()
                guard let m = p.number(maxDigits: 2), p.take(sep!), let dd = p.number(maxDigits: 2) else { throw .unreadable }
                d = ParsedDate(year: lead.value, month: m.value, day: dd.value)
            case "年":
                p.advance()
                guard let m = p.number(maxDigits: 2), p.take("月"), let dd = p.number(maxDigits: 2) else { throw .unreadable }
                _ = p.take("日") || p.take("号")
                d = ParsedDate(year: lead.value, month: m.value, day: dd.value)
            default:
                throw .unreadable
            }
        default:
            throw .unreadable
        }
        try time(&p, into: &d)
        guard p.atEnd else { throw .unreadable }
        try check(d)
        return d
    }

    /// ` 12:30[:05[.5]]`, `T12:30…`, `12时30分[05秒]`, then an optional zone.
    private static func time(_ p: inout Scanner, into d: inout ParsedDate) throws(DateProblem) {
        let hadSeparator = p.take("T") || p.take("t") || p.skipSpaces()
        guard !p.atEnd else { return }
        guard hadSeparator || p.peekIsDigit, let h = p.number(maxDigits: 2) else { throw .unreadable }
        d.hasTime = true
        d.hour = h.value
        if p.take(":") {
            guard let m = p.number(maxDigits: 2), m.digits == 2 else { throw .unreadable }
            d.minute = m.value
            if p.take(":") {
                guard let s = p.number(maxDigits: 2), s.digits == 2 else { throw .unreadable }
                d.second = s.value
                if p.take(".") || p.take(",") {
                    guard let f = p.digits(maxDigits: 9) else { throw .unreadable }
                    d.fraction = f
                }
            }
        } else if p.take("时") || p.take("点") {
            if let m = p.number(maxDigits: 2) {
                guard p.take("分") else { throw .unreadable }
                d.minute = m.value
                if let s = p.number(maxDigits: 2) {
                    guard p.take("秒") else { throw .unreadable }
                    d.second = s.value
                }
            }
        } else {
            throw .unreadable
        }
        _ = p.skipSpaces()
        if p.take("Z") || p.take("z") {
            d.zoneMinutes = 0
        } else if let sign = p.peek, sign == "+" || sign == "-" {
            p.advance()
            guard let zh = p.number(maxDigits: 2), zh.digits == 2 else { throw .unreadable }
            _ = p.take(":")
            guard let zm = p.number(maxDigits: 2), zm.digits == 2, zh.value <= 23, zm.value <= 59 else { throw .unreadable }
            d.zoneMinutes = (sign == "-" ? -1 : 1) * (zh.value * 60 + zm.value)
        }
    }

    static func check(_ d: ParsedDate) throws(DateProblem) {
        guard (1...9999).contains(d.year), (1...12).contains(d.month) else { throw .noSuchDate("there is no month \(d.month)") }
        let days = daysIn(month: d.month, year: d.year)
        guard (1...days).contains(d.day) else {
            throw .noSuchDate(d.day == 0 ? "there is no day 0" : "\(d.year)年\(d.month)月 has \(days) days")
        }
        // 24:00 is not accepted: the standard's times are within their day.
        guard d.hour <= 23, d.minute <= 59, d.second <= 60 else { throw .noSuchDate("there is no time \(d.hour):\(d.minute):\(d.second)") }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A cursor over the scalars of one value.
    struct Scanner {
        let s: [Unicode.Scalar]
        var i = 0
        init(_ s: [Unicode.Scalar]) { self.s = s }
        var atEnd: Bool { i == s.count }
        var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }
        var peekIsDigit: Bool { peek.flatMap(TextTransforms.digit) != nil }
        mutating func advance() { i += 1 }
        mutating func take(_ c: Unicode.Scalar) -> Bool {
            guard peek == c else { return false }
            i += 1
            return true
        }
        mutating func skipSpaces() -> Bool {
            let start = i
            while let c = peek, TextTransforms.isSpace(c) { i += 1 }
            return i > start
        }
        /// Up to `maxDigits` digits as a number, with how many there were.
        mutating func number(maxDigits: Int) -> (value: Int, digits: Int)? {
            var v = 0, n = 0
            while n < maxDigits, let c = peek, let d = TextTransforms.digit(c) { v = v * 10 + d; n += 1; i += 1 }
            // More digits than the part may have: not this style.
            if n == maxDigits, peekIsDigit { return nil }
            return n > 0 ? (v, n) : nil
        }

        mutating func digits(maxDigits: Int) -> String? {
            var out = ""
            while out.count < maxDigits, let c = peek, let d = TextTransforms.digit(c) { out += String(d); i += 1 }
            return out.isEmpty ? nil : out
        }
    }
}
