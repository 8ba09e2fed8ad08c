import Foundation

extension Step {
    /// A step's failure before the field and value are known to name it.
    struct Failure: Error {
        let kind: MappingProblem.Kind
        let reason: String
        /// The one item at fault, when the value is a list (the unknown code among several).
        var item: String?
    }

    /// Applies the step; a list is handled item by item (split makes one).
    /// - Returns: the new value and what happened, for coverage.
    func apply(_ value: MappedValue) throws(Failure) -> (MappedValue, Outcome) {
        if case .list(let items) = value, !isSplit {
            var out: [MappedValue] = []
            var outcome = Outcome.applied
            for item in items {
                let (v, o) = try apply(item)
                if o != .applied { outcome = o }
                if case .list(let inner) = v { out += inner } else if !v.isEmpty { out.append(v) }
            }
            return (.list(Self.unique(out)), outcome)
        }
        guard !value.isEmpty else { return (.empty, .skipped) }
        switch self {
        case .trim: return text(value, TextTransforms.trim)
        case .collapse: return text(value, TextTransforms.collapse)
        case .halfwidth: return text(value, TextTransforms.halfwidth)
        case .upper: return text(value, TextTransforms.upper)
        case .lower: return text(value, TextTransforms.lower)
        case .nfkc: return text(value) { $0.precomposedStringWithCompatibilityMapping }
        case .replace(let from, let to): return text(value) { TextTransforms.replace($0, from, to) }
        case .emptyIf(let values):
            return values.contains(TextTransforms.trim(value.text ?? "")) ? (.empty, .emptied) : (value, .applied)
        case .date, .datetime:
            let written = value.text ?? ""
            let d: ParsedDate
            do { d = try DateParser.parse(written) } catch {
                switch error {
                case .unreadable:
                    throw Failure(kind: .badDate, reason: "not a date in a known style (2023-05-01, 2023/5/1, 2023.05.01, 20230501, 2023年5月1日)")
                case .noSuchDate(let why):
                    throw Failure(kind: .noSuchDate, reason: "no such date: \(why)")
                }
            }
            let out: String
            if case .datetime(let zone) = self { out = d.isoDateTime(defaultZone: zone) } else { out = d.isoDate }
            return (.text(out), .applied)
        case .money(let unit, let allowNegative):
            let written: String
            switch value {
            case .integer(let n): written = String(n)
            default: written = value.text ?? ""
            }
            do {
                return (.integer(try MoneyParser.fen(written, unit: unit, allowNegative: allowNegative)), .applied)
            } catch {
                switch error {
                case .unreadable: throw Failure(kind: .badMoney, reason: "not an amount of money (digits, a point, thousands separators, 元 or 万元)")
                case .inWords: throw Failure(kind: .badMoney, reason: "an amount written in words; give it in digits")
                case .negative: throw Failure(kind: .negativeMoney, reason: "a negative amount (allow it with money = { allow_negative = true })")
                case .fractionOfFen(let u): throw Failure(kind: .fractionOfFen, reason: "not a whole number of 分: in \(u.chinese) at most \(u.places) decimals count")
                case .tooLarge: throw Failure(kind: .badMoney, reason: "larger than the standard can keep exact (2^53−1 分)")
                }
            }
        case .integer:
            switch value {
            case .integer: return (value, .applied)
            default:
                let t = TextTransforms.trim(TextTransforms.halfwidth(value.text ?? ""))
                // 12.0 from a REAL column is still a whole number.
                var digits = Substring(t)
                if let point = digits.firstIndex(of: "."), digits[digits.index(after: point)...].allSatisfy({ $0 == "0" }) { digits = digits[..<point] }
                if let n = Int64(digits) { return (.integer(n), .applied) }
                throw Failure(kind: .notInteger, reason: "not a whole number")
            }
        case .split(let separators, let protected):
            let (items, whole) = Self.split(value.text ?? "", separators: separators, protected: protected)
            let out = Self.unique(items.map { MappedValue.text($0) })
            return (.list(out), whole ? .matchedWhole : .applied)
        case .codes(let table):
            let written = TextTransforms.trim(value.text ?? "")
            if let codes = table.lookup(written) {
                let v: MappedValue = codes.count == 1 ? .text(codes[0]) : .list(codes.map { .text($0) })
                return (v, .applied)
            }
            switch table.unknown {
            case .keep: return (.text(written), .unknownKept)
            case .default(let code): return (.text(code), .unknownKept)
            case .quarantine:
                throw Failure(kind: .unknownCode, reason: "is not in code table \(table.name); add it to the mapping's [codes.\(table.name)] or fix the source", item: written)
            }
        }
    }

    private var isSplit: Bool { if case .split = self { true } else { false } }

    private func text(_ value: MappedValue, _ f: (String) -> String) -> (MappedValue, Outcome) {
        let t = value.text ?? ""
        let out = f(t)
        return (out.isEmpty ? .empty : .text(out), .applied)
    }

    /// Items in order without repeats or empties.
    static func unique(_ items: [MappedValue]) -> [MappedValue] {
        // A split gives a few items: comparing each with those kept costs less than hashing.
        if items.count > 16 {
            var seen: Set<String> = []
            return items.filter { !$0.isEmpty && seen.insert($0.text ?? $0.shown).inserted }
        }
        var out: [MappedValue] = []
        out.reserveCapacity(items.count)
        for item in items where !item.isEmpty {
            let key = item.text ?? item.shown
            if !out.contains(where: { ($0.text ?? $0.shown) == key }) { out.append(item) }
        }
        return out
    }

    /// `text` split on `separators` (and white space); an entry of `protected`
    /// that starts at an item's start and ends at a separator or the end is
    /// taken whole (没收违法所得、没收非法财物 is one old kind, not two).
    static func split(_ text: String, separators: Set<Unicode.Scalar>, protected: [String]) -> ([String], matchedWhole: Bool) {
        let s = text.unicodeScalars
        var items: [String] = []
        var whole = false
        var i = s.startIndex
        func isSep(_ c: Unicode.Scalar) -> Bool { TextTransforms.isSpace(c) || separators.contains(c) }
        scanning: while i < s.endIndex {
            if isSep(s[i]) { i = s.index(after: i); continue }
            for p in protected {
                var j = i
                var matches = true
                for c in p.unicodeScalars {
                    guard j < s.endIndex, s[j] == c else { matches = false; break }
                    j = s.index(after: j)
                }
                if matches && (j == s.endIndex || isSep(s[j])) {
                    items.append(p)
                    i = j
                    whole = true
                    continue scanning
                }
            }
            var j = i
            while j < s.endIndex, !isSep(s[j]) { j = s.index(after: j) }
            items.append(String(s[i..<j]))
            i = j
        }
        return (items, whole)
    }
}
