import JSON

/// A value on its way through a field's steps.
enum MappedValue: Sendable, Equatable {
    case empty
    case text(String)
    case integer(Int64)
    /// A number with a fraction, as decimal digits.
    case decimal(String)
    case bool(Bool)
    case list([MappedValue])
    /// A constant of the mapping, already in the standard's form.
    case json(JSONValue)

    init(_ raw: RowValue) {
        switch raw {
        case .null: self = .empty
        case .text(let s): self = TextTransforms.isBlank(s) ? .empty : .text(s)
        case .integer(let n): self = .integer(n)
        case .decimal(let d): self = .decimal(d)
        case .bool(let b): self = .bool(b)
        }
    }

    var isEmpty: Bool {
        switch self {
        case .empty: true
        case .text(let s): s.isEmpty
        case .list(let l): l.isEmpty
        default: false
        }
    }

    /// The value as text, for text steps and conditions.
    var text: String? {
        switch self {
        case .empty: ""
        case .text(let s): s
        case .integer(let n): String(n)
        case .decimal(let d): d
        case .bool(let b): b ? "true" : "false"
        case .json(.string(let s)): s
        case .json(let j): JSONWriter.string(j)
        case .list: nil
        }
    }

    /// The value as it is written in the record.
    var json: JSONValue {
        switch self {
        case .empty: .null
        case .text(let s): .string(s)
        case .integer(let n): .int(n)
        case .decimal(let d): Double(d).map { .double($0) } ?? .string(d)
        case .bool(let b): .bool(b)
        case .list(let l): .array(l.map(\.json))
        case .json(let j): j
        }
    }

    /// How it is shown in a message (before masking).
    var shown: String {
        switch self {
        case .list(let l): l.map(\.shown).joined(separator: "、")
        default: text ?? ""
        }
    }
}
