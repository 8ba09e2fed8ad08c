import Foundation
import JSON
import Standard

/// A mapping: how the rows of one agency table or export kind become standard
/// records (a TOML file, described in docs/mappings.md). Loaded and checked
/// whole before any row is mapped: a mapping that names an unknown field,
/// transform or code, or chains a step onto a value it cannot take, is an
/// error with its file and line, never a surprise in the middle of a run.
public struct Mapping: Sendable {
    /// The mapping file.
    public let file: String
    /// Its name in reports and quarantine (`[mapping] name`, else the file's name).
    public let name: String
    /// The standard record type every row becomes.
    public let recordType: String
    /// The source's own key columns, which name a row in reports and quarantine.
    public let key: [String]
    /// How a file source is read (`[source]`).
    public let source: SourceOptions
    /// In evaluation order: a field that a condition reads comes before the condition.
    let fields: [FieldRule]
    /// The test cases shipped in the file (`[[test]]`).
    public let tests: [MappingTest]
    /// Each column the mapping reads → the line that first names it.
    public let columns: [String: Int]
    /// What each field's cases need of the mapping, worked out when loaded:
    /// field `i`'s case `c` is `casePlans[caseBase[i] + c]`. Plain numbers,
    /// so that reading them for every field of every row retains nothing.
    let caseBase: [Int]
    let casePlans: [CasePlan]
    let memo: StepMemo
    /// Where each field's value goes in the record.
    let layout: RecordLayout
    /// Where the columns it reads are in the rows it meets.
    let columnPlan: ColumnPlan
    /// Set once loaded: what `copies` loads again.
    var definition: Definition? = nil

    /// How to read a file for this mapping; `format` and `encoding` are guessed when nil.
    public struct SourceOptions: Sendable {
        public var format: String?
        public var encoding: TextEncoding?
        public var delimiter: UInt8 = UInt8(ascii: ",")
        /// The source's columns, when the mapping lists them: every column it
        /// reads is then checked when it is loaded, not first when it meets a file.
        public var columns: [String]?

        public init(format: String? = nil, encoding: TextEncoding? = nil, delimiter: UInt8 = UInt8(ascii: ","), columns: [String]? = nil) {
            self.format = format; self.encoding = encoding; self.delimiter = delimiter; self.columns = columns
        }
    }
}

/// A case's places: of the field its condition reads (`positions`, else -1),
/// and of its table in the mapping's `StepMemo` (-1: its results are not kept).
struct CasePlan: Sendable {
    var subject = -1
    var memoSlot = -1

    /// `fields` in evaluation order: each field's first case's place, and every case's plan.
    static func plans(_ fields: [FieldRule], _ positions: [String: Int]) -> (base: [Int], plans: [CasePlan], memoSlots: Int) {
        var base: [Int] = [], plans: [CasePlan] = [], slots = 0
        for rule in fields {
            base.append(plans.count)
            for c in rule.cases {
                var plan = CasePlan()
                if case .field(let name)? = c.when?.subject { plan.subject = positions[name] ?? -1 }
                if StepMemo.isWorthKeeping(c) {
                    plan.memoSlot = slots
                    slots += 1
                }
                plans.append(plan)
            }
        }
        return (base, plans, slots)
    }
}

/// One standard field and how it is made. A class, as `FieldCase`: every
/// row walks every rule, and a reference is passed where a struct of this
/// many parts would be copied.
final class FieldRule: Sendable {
    /// `party.name`, and as a path.
    let name: String
    let path: [String]
    /// Where it is written in the mapping.
    let line: Int
    /// Tried in order; the first whose condition holds makes the value.
    let cases: [FieldCase]
    let personal: Bool
    /// The field is a list: one value becomes a list of one.
    let isList: Bool
    /// The field holds a whole number.
    let isInteger: Bool

    /// The columns it reads, in all its cases, each once.
    var columns: [String] {
        var out: [String] = []
        for c in cases { for col in c.source.columns where !out.contains(col) { out.append(col) } }
        return out
    }

    init(name: String, line: Int, cases: [FieldCase], personal: Bool, isList: Bool, isInteger: Bool) {
        self.name = name
        path = name.split(separator: ".").map(String.init)
        self.line = line; self.cases = cases; self.personal = personal; self.isList = isList; self.isInteger = isInteger
    }
}

final class FieldCase: Sendable {
    let when: Condition?
    let source: ValueSource
    let steps: [Step]
    /// Used when the value is empty after the steps.
    let defaultValue: JSONValue?
    let line: Int

    init(when: Condition?, source: ValueSource, steps: [Step], defaultValue: JSONValue?, line: Int) {
        self.when = when; self.source = source; self.steps = steps; self.defaultValue = defaultValue; self.line = line
    }
}

/// A column the mapping reads, numbered when the mapping is loaded: a row's
/// value is then found by position (`ColumnPlan`), not by hashing the
/// column's name for every field of every row.
struct ColumnRef: Sendable {
    let name: String
    let slot: Int
}

enum ValueSource: Sendable {
    /// The first of these columns that is not empty.
    case columns([ColumnRef])
    /// Text with `{COLUMN}` filled in.
    case template([TemplatePart])
    case constant(JSONValue)
    /// No source: only the default.
    case none

    enum TemplatePart: Sendable {
        case literal(String)
        case column(ColumnRef)
    }

    /// The columns it reads.
    var columns: [String] {
        switch self {
        case .columns(let cols): cols.map(\.name)
        case .template(let parts): parts.compactMap { if case .column(let c) = $0 { c.name } else { nil } }
        case .constant, .none: []
        }
    }
}

/// A condition on a column of the row, or on a field already mapped.
struct Condition: Sendable {
    enum Subject: Sendable {
        case column(ColumnRef)
        /// A field's name (`party.kind`).
        case field(String)
    }

    let subject: Subject
    /// Holds when the value (trimmed, half-width) is one of these (by their bytes)…
    private let values: Set<TextKey>
    /// …or when its emptiness is this.
    let empty: Bool?
    let negated: Bool

    init(subject: Subject, values: Set<String>?, empty: Bool?, negated: Bool) {
        self.subject = subject; self.empty = empty; self.negated = negated
        self.values = Set((values ?? []).map(TextKey.init))
    }

    func holds(_ value: MappedValue) -> Bool {
        var result: Bool
        if let empty {
            result = value.isEmpty == empty
        } else {
            let t = TextTransforms.trim(TextTransforms.halfwidth(value.text ?? value.shown))
            result = values.contains(TextKey(t))
        }
        if negated { result.toggle() }
        return result
    }
}

/// The text encodings of agency files.
public enum TextEncoding: String, Sendable {
    case utf8 = "utf-8"
    /// GB18030, which includes GBK and GB2312: Excel on Chinese Windows writes these.
    case gb18030
}
