/// RFC 3339 dates and times, ISO 8601 durations.
public enum DateFormats {
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Checks "YYYY-MM-DD"; nil when valid, else the reason.
    static func dateProblem(_ u: UnsafeBufferPointer<UInt8>, _ start: Int = 0) -> String? {
        guard u.count >= start + 10, u[start + 4] == UInt8(ascii: "-"), u[start + 7] == UInt8(ascii: "-"),
              let y = Formats.digits(u, start, 4), let m = Formats.digits(u, start + 5, 2), let d = Formats.digits(u, start + 8, 2)
        else { return "must be written YYYY-MM-DD" }
        guard (1...12).contains(m) else { return "has month \(m), which does not exist" }
        guard d >= 1 && d <= daysIn(month: m, year: y) else { return "has day \(d), which month \(m) of \(y) does not have" }
        return nil
    }

    /// Whether `s` is an ISO date, without allocating.
    public static func isDate(_ s: String) -> Bool {
        Formats.bytes(s) { $0.count == 10 && dateProblem($0) == nil }
    }

    /// Whether `s` starts with a valid ISO date (a date, or the date of a date-time).
    public static func startsWithDate(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        (u.count == 10 || (u.count > 10 && u[10] | 0x20 == UInt8(ascii: "t"))) && dateProblem(u) == nil
    }

    static let date: FormatCheck = { s in
        if isDate(s) { return .valid }
        return Formats.bytes(s) { u in
            if s.contains("年") || s.contains("/") || s.contains(".") {
                return .invalid("is not an ISO date: write it as YYYY-MM-DD (e.g. 2023-05-01 for 2023年5月1日)")
            }
            return .invalid("is not a valid date: \(u.count == 10 ? dateProblem(u)! : "must be written YYYY-MM-DD")")
        }
    }

    /// Checks an RFC 3339 full-time at `start` to the end of `u`.
    static func timeProblem(_ u: UnsafeBufferPointer<UInt8>, _ start: Int) -> String? {
        guard u.count >= start + 9, u[start + 2] == UInt8(ascii: ":"), u[start + 5] == UInt8(ascii: ":"),
              let h = Formats.digits(u, start, 2), let m = Formats.digits(u, start + 3, 2), let sec = Formats.digits(u, start + 6, 2)
        else { return "time must be written HH:MM:SS with a time zone (Z or +08:00)" }
        guard h <= 23, m <= 59, sec <= 60 else { return "time \(h):\(m):\(sec) is out of range" }
        var i = start + 8
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < u.count, Formats.isDigit(u[i]) { i += 1 }
            if i == fracStart { return "time has a '.' without fraction digits" }
        }
        guard i < u.count else { return "time needs a time zone: Z or an offset such as +08:00" }
        var offsetMinutes = 0
        if u[i] | 0x20 == UInt8(ascii: "z") {
            i += 1
        } else if u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            guard i + 6 == u.count, u[i + 3] == UInt8(ascii: ":"),
                  let oh = Formats.digits(u, i + 1, 2), let om = Formats.digits(u, i + 4, 2), oh <= 23, om <= 59
            else { return "time zone offset must be written +HH:MM" }
            offsetMinutes = (oh * 60 + om) * (u[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else {
            return "time needs a time zone: Z or an offset such as +08:00"
        }
        guard i == u.count else { return "has unexpected characters after the time" }
        if sec == 60 {
            // A leap second exists only at 23:59:60 UTC.
            let utc = ((h * 60 + m - offsetMinutes) % 1440 + 1440) % 1440
            if utc != 23 * 60 + 59 { return "has second 60, which only a leap second at 23:59:60 UTC may have" }
        }
        return nil
    }

    static let time: FormatCheck = { s in
        if let p = Formats.bytes(s, { timeProblem($0, 0) }) { return .invalid("is not a valid time: \(p)") }
        return .valid
    }

    static let dateTime: FormatCheck = { s in Formats.bytes(s) { u in
        if let p = dateProblem(u) { return .invalid("is not a valid date-time: the date \(p)") }
        guard u.count > 10, u[10] | 0x20 == UInt8(ascii: "t") else {
            return .invalid("is not a valid date-time: write it as YYYY-MM-DDTHH:MM:SS+08:00")
        }
        if let p = timeProblem(u, 11) { return .invalid("is not a valid date-time: \(p)") }
        return .valid
    } }

    /// ISO 8601 durations as in RFC 3339 appendix A: P1Y2M3DT4H5M6S, P4W.
    static let duration: FormatCheck = { s in
        let bad = FormatVerdict.invalid("is not a valid duration (ISO 8601, e.g. P1Y2M10D, PT36H or P2W)")
        let u = Array(s.utf8)
        guard u.first == UInt8(ascii: "P"), u.count > 1 else { return bad }
        var i = 1
        var dateUnits: [UInt8] = [], timeUnits: [UInt8] = []
        var inTime = false
        while i < u.count {
            if u[i] == UInt8(ascii: "T") {
                if inTime { return bad }
                inTime = true
                i += 1
                continue
            }
            let start = i
            while i < u.count, Formats.isDigit(u[i]) { i += 1 }
            guard i > start, i < u.count else { return bad }
            if inTime { timeUnits.append(u[i]) } else { dateUnits.append(u[i]) }
            i += 1
        }
        if inTime && timeUnits.isEmpty { return bad }
        if dateUnits.isEmpty && timeUnits.isEmpty { return bad }
        func contiguous(_ units: [UInt8], in order: [UInt8]) -> Bool {
            guard let first = units.first, let f = order.firstIndex(of: first) else { return units.isEmpty }
            return Array(order[f..<min(order.count, f + units.count)]) == units
        }
        if dateUnits == [UInt8(ascii: "W")] { return timeUnits.isEmpty ? .valid : bad }
        guard contiguous(dateUnits, in: Array("YMD".utf8)), contiguous(timeUnits, in: Array("HMS".utf8)) else { return bad }
        return .valid
    }
}
