import Standard

/// The table of one record type in the agency's database: the columns every
/// sink table has, then one typed column per scalar field of the standard
/// (`party.name` → `party_name`), so that the agency reads the main fields
/// without parsing JSON. Lists and their members stay in `body` only.
public struct SinkLayout: Sendable {
    public let recordType: String
    public let fields: [SinkColumn]

    /// Columns every sink table has, before the fields.
    public static let fixed = ["id", "owner", "version", "writer", "hlc", "deleted", "masked", "hash", "body"]

    public init(recordType: String, dictionary: DataDictionary) {
        self.recordType = recordType
        var seen = Set(Self.fixed)
        var fields: [SinkColumn] = []
        for f in dictionary.fields[recordType] ?? [] where !f.path.contains("[]") && f.path != "$schema" {
            let kind: SinkColumn.Kind
            switch f.kind {
            case .text: kind = .text
            case .integer: kind = .integer
            case .number: kind = .number
            case .boolean: kind = .boolean
            case .object, .list: continue
            }
            var name = f.path.replacingOccurrences(of: ".", with: "_")
            if seen.contains(name) { name = "f_" + name }
            guard seen.insert(name).inserted else { continue }
            fields.append(SinkColumn(name: name, path: f.path.split(separator: ".").map(String.init), kind: kind, title: f.title))
        }
        self.fields = fields
    }

    /// The table's name: `hutong_in_<type>` in SQLite; in PostgreSQL the type, in schema `hutong_in`.
    public var sqliteTable: String { "hutong_in_" + recordType }
}

/// One typed column of a sink table and the field it holds.
public struct SinkColumn: Sendable {
    public enum Kind: Sendable { case text, integer, number, boolean }
    public let name: String
    public let path: [String]
    public let kind: Kind
    /// The field's Chinese name, for the column's comment.
    public let title: String
}
