/// Money to integer 分, exactly: the digits are read as a decimal and scaled
/// by the unit's power of ten, never passed through binary floating point
/// (0.0123万元 is 12300 分; as a Double it would be 12299.999…).
enum MoneyUnit: String, CaseIterable, Sendable {
    case fen, jiao, yuan
    case wanYuan = "wan_yuan"

    /// Decimal places of this unit that make whole 分.
    var places: Int {
        switch self {
        case .fen: 0
        case .jiao: 1
        case .yuan: 2
        case .wanYuan: 6
        }
    }

    var chinese: String {
        switch self {
        case .fen: "分"
        case .jiao: "角"
        case .yuan: "元"
        case .wanYuan: "万元"
        }
    }
}

enum MoneyProblem: Error, Equatable {
    case unreadable
    /// Written in words (壹万元整): the digits are the clerk's to give.
    case inWords
    case negative
    /// More decimals than whole 分 allow in this unit.
    case fractionOfFen(MoneyUnit)
    case tooLarge
}

enum MoneyParser {
    /// The largest amount the standard keeps exact (2^53 − 1 分).
    static let maximum: Int64 = 9_007_199_254_740_991

    /// Units written after the number, longest first.
    private static let suffixes: [([Unicode.Scalar], MoneyUnit)] = [("万元", MoneyUnit.wanYuan), ("元整", .yuan), ("元", .yuan), ("圆", .yuan), ("角", .jiao), ("分", .fen)]
        .map { (Array($0.0.unicodeScalars), $0.1) }
    private static let numerals = Set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿一二三四五六七八九十百千".unicodeScalars)

    /// `text` in `unit`, unless the text names its own unit (`2000元`, `1.5万元`).
    /// Accepts `¥`/`￥`, thousands separators (`,` `，`), full-width digits, spaces.
    static func fen(_ text: String, unit: MoneyUnit, allowNegative: Bool = false) throws(MoneyProblem) -> Int64 {
        var scalars = Array(TextTransforms.trim(text).unicodeScalars)
        guard !scalars.isEmpty else { throw .unreadable }
        var unit = unit
        // A unit written after the number wins over the mapping's.
        for (sx, u) in suffixes {
            if scalars.count > sx.count, scalars.suffix(sx.count).elementsEqual(sx) {
                scalars.removeLast(sx.count)
                unit = u
                break
            }
        }
        var negative = false
        var intDigits: [Int] = [], fracDigits: [Int] = []
        var seenPoint = false, seenDigit = false, afterSeparator = false
        var exponent = 0
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if let d = TextTransforms.digit(c) {
                seenDigit = true
                afterSeparator = false
                if seenPoint { fracDigits.append(d) } else { intDigits.append(d) }
            } else if c == "." || c == "．" {
                guard !seenPoint, !afterSeparator else { throw .unreadable }
                seenPoint = true
            } else if TextTransforms.isSpace(c) && !seenDigit {
                // between a currency mark and the digits
            } else if c == "," || c == "，" || c == "_" || TextTransforms.isSpace(c) {
                // Spaces may surround a separator; a separator stands between digits.
                guard !seenPoint, seenDigit else { throw .unreadable }
                if !TextTransforms.isSpace(c) {
                    guard !afterSeparator else { throw .unreadable }
                    afterSeparator = true
                }
            } else if (c == "-" || c == "－") && !seenDigit && !negative {
                negative = true
            } else if (c == "+" || c == "¥" || c == "￥") && !seenDigit {
                // a sign or currency mark before the digits
            } else if (c == "e" || c == "E") && seenDigit {
                // 1.5E+3 as a database's REAL column prints it
                var sign = 1, e = 0, any = false
                i += 1
                if i < scalars.count, scalars[i] == "+" || scalars[i] == "-" { sign = scalars[i] == "-" ? -1 : 1; i += 1 }
                while i < scalars.count, let d = TextTransforms.digit(scalars[i]), e < 100 { e = e * 10 + d; any = true; i += 1 }
                guard any, i == scalars.count else { throw .unreadable }
                exponent = sign * e
                break
            } else if numerals.contains(c) {
                throw .inWords
            } else {
                throw .unreadable
            }
            i += 1
        }
        guard seenDigit, !afterSeparator else { throw .unreadable }
        // Shift the decimal point: the unit's places, and the exponent.
        let shift = unit.places + exponent
        var digits = intDigits + fracDigits
        var pointAt = intDigits.count + shift
        if pointAt < 0 { digits = Array(repeating: 0, count: -pointAt) + digits; pointAt = 0 }
        if pointAt > digits.count { digits += Array(repeating: 0, count: pointAt - digits.count) }
        guard digits[pointAt...].allSatisfy({ $0 == 0 }) else { throw .fractionOfFen(unit) }
        var value: Int64 = 0
        for d in digits[..<pointAt] {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2, a <= maximum else { throw .tooLarge }
            value = a
        }
        if negative && value != 0 {
            guard allowNegative else { throw .negative }
            return -value
        }
        return value
    }
}
