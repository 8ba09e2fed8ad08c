import JSON

/// One value of an agency's row as its source holds it: text from a CSV file,
/// typed values from a database or a JSON export.
public enum RowValue: Sendable, Equatable {
    case null
    case text(String)
    case integer(Int64)
    /// A number with a fraction, as the decimal digits the source wrote
    /// (a REAL column's shortest round-trip form), never a Double.
    case decimal(String)
    case bool(Bool)

    /// Empty text and null are "no value": a mapping's default applies.
    public var isEmpty: Bool {
        switch self {
        case .null: true
        case .text(let s): TextTransforms.isBlank(s)
        default: false
        }
    }

    /// The value as text, as it would be written in a CSV cell.
    public var text: String {
        switch self {
        case .null: ""
        case .text(let s): s
        case .integer(let n): String(n)
        case .decimal(let d): d
        case .bool(let b): b ? "true" : "false"
        }
    }

    public init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .string(let s): self = .text(s)
        case .int(let n): self = .integer(n)
        case .bool(let b): self = .bool(b)
        case .double(let d): self = .decimal(d.description)
        default: self = .text(JSONWriter.string(json))
        }
    }

    public var json: JSONValue {
        switch self {
        case .null: .null
        case .text(let s): .string(s)
        case .integer(let n): .int(n)
        case .decimal(let d): Double(d).map { .double($0) } ?? .string(d)
        case .bool(let b): .bool(b)
        }
    }
}

/// The column names a source's rows share (a CSV header, a table's columns).
public final class SourceColumns: Sendable {
    public let names: [String]
    private let index: [TextKey: Int]

    public init(_ names: [String]) {
        self.names = names
        var index: [TextKey: Int] = [:]
        for (i, n) in names.enumerated() where index[TextKey(n)] == nil { index[TextKey(n)] = i }
        self.index = index
    }

    public func position(of name: String) -> Int? { index[TextKey(name)] }
}

/// One row of a source: its values by column, and where it came from
/// (file and line, table and primary key) for reports and quarantine.
public struct SourceRow: Sendable {
    public let columns: SourceColumns
    public var values: [RowValue]
    /// The file or table.
    public let origin: String
    /// The line number, or the source's key of the row.
    public let location: String

    public init(columns: SourceColumns, values: [RowValue], origin: String, location: String) {
        self.columns = columns
        self.values = values
        self.origin = origin
        self.location = location
    }

    public subscript(column: String) -> RowValue {
        guard let i = columns.position(of: column), i < values.count else { return .null }
        return values[i]
    }

    /// The row as a JSON object (column → value): how a quarantined row is
    /// kept, so that `hutong quarantine retry` can map it again.
    public var json: JSONValue {
        var o = JSONObject()
        for (i, name) in columns.names.enumerated() where i < values.count { o[name] = values[i].json }
        return .object(o)
    }

    /// A row read back from its JSON form.
    public init?(json: JSONValue, origin: String, location: String) {
        guard case .object(let o) = json else { return nil }
        let names = o.keys
        columns = SourceColumns(names)
        values = names.map { RowValue(json: o[$0]!) }
        self.origin = origin
        self.location = location
    }
}
