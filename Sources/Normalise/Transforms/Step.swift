import Foundation

/// One transform of a field's chain (`do = [...]` in a mapping). The
/// catalogue is closed and typed: a mapping names steps, it does not script
/// them, and each step says when the mapping is loaded what it takes and gives.
indirect enum Step: Sendable {
    case trim, collapse, halfwidth, upper, lower, nfkc
    /// Values that mean "nothing" in this source (`无`, `/`, `-`): a few,
    /// compared in turn, which costs less than hashing each row's value.
    case emptyIf([String])
    case replace(String, String)
    case date
    /// A date and time in RFC 3339; a zone-less source time is in `zone` (minutes east of UTC).
    case datetime(zone: Int)
    case money(MoneyUnit, allowNegative: Bool)
    case integer
    /// One value per item; entries of the following code table that contain a separator are matched whole first.
    case split(Set<Unicode.Scalar>, protected: [String])
    case codes(CodeTable)

    /// Names as written in a mapping file.
    static let names = ["trim", "collapse", "halfwidth", "upper", "lower", "nfkc", "empty_if", "replace", "date", "datetime", "money", "integer", "split", "codes"]

    var name: String {
        switch self {
        case .trim: "trim"
        case .collapse: "collapse"
        case .halfwidth: "halfwidth"
        case .upper: "upper"
        case .lower: "lower"
        case .nfkc: "nfkc"
        case .emptyIf: "empty_if"
        case .replace: "replace"
        case .date: "date"
        case .datetime: "datetime"
        case .money: "money"
        case .integer: "integer"
        case .split: "split"
        case .codes(let t): "codes \(t.name)"
        }
    }

    /// What can come of this step, for `hutong map test --coverage`.
    var outcomes: [Outcome] {
        switch self {
        case .trim, .collapse, .halfwidth, .upper, .lower, .nfkc, .replace: [.applied]
        case .emptyIf: [.applied, .emptied]
        case .date, .datetime: [.applied, .problem(.badDate), .problem(.noSuchDate)]
        case .money(_, let negative): [.applied, .problem(.badMoney), .problem(.fractionOfFen)] + (negative ? [] : [.problem(.negativeMoney)])
        case .integer: [.applied, .problem(.notInteger)]
        case .split(_, let p): [.applied] + (p.isEmpty ? [] : [.matchedWhole])
        case .codes(let t): [.applied] + (t.unknown == .quarantine ? [.problem(.unknownCode)] : [.unknownKept])
        }
    }

    enum Outcome: Hashable, Sendable, CustomStringConvertible {
        /// The step took a value and gave one.
        case applied
        /// There was no value to take (not a branch of its own: the field's empty case counts it).
        case skipped
        /// empty_if found a value that means nothing.
        case emptied
        /// split took a code containing a separator whole.
        case matchedWhole
        /// codes let an unknown value pass (unknown = "keep" or a default).
        case unknownKept
        case problem(MappingProblem.Kind)

        var description: String {
            switch self {
            case .applied: "applied to a value"
            case .skipped: "had no value"
            case .emptied: "emptied a value"
            case .matchedWhole: "matched a code containing a separator whole"
            case .unknownKept: "let an unknown code pass"
            case .problem(let k): k.rawValue
            }
        }
    }

    /// What flows between steps, as far as loading the mapping can tell.
    enum Flow: Equatable, CustomStringConvertible {
        /// A source value not yet made anything (text, or a number from a database).
        case value
        case text
        case integer
        case textList

        var description: String {
            switch self {
            case .value: "a source value"
            case .text: "text"
            case .integer: "a whole number"
            case .textList: "a list of texts"
            }
        }
    }

    struct FlowMismatch: Error { let why: String }

    /// What this step gives for `input`.
    /// - Throws: why it cannot take `input`.
    func flow(after input: Flow) throws(FlowMismatch) -> Flow {
        switch self {
        case .trim, .collapse, .halfwidth, .upper, .lower, .nfkc, .emptyIf, .replace, .date, .datetime, .codes:
            if input == .integer { throw FlowMismatch(why: "\(name) works on text, but it gets a whole number") }
            return input == .textList ? .textList : .text
        case .money, .integer:
            if input == .textList { throw FlowMismatch(why: "\(name) works on one value, but it gets a list (put it before split)") }
            return .integer
        case .split:
            if input == .textList { throw FlowMismatch(why: "split gets a list already") }
            if input == .integer { throw FlowMismatch(why: "split works on text, but it gets a whole number") }
            return .textList
        }
    }
}
