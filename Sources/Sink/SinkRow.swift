import JSON
import Replication

/// A record's current version as a sink table's row: the fixed columns, and
/// each field's value (nil where the record has none). A tombstone carries
/// no body: its row keeps the body and fields it had, marked deleted.
public struct SinkRow: Sendable {
    public let recordType: String
    public let id: String
    public let owner: String
    /// The version vector as JSON text.
    public let version: String
    public let writer: String
    public let hlc: String
    public let deleted: Bool
    /// The personal fields masked in this copy, as a JSON array; nil: none.
    public let masked: String?
    public let hash: String
    /// The standard body as JSON text; nil for a tombstone.
    public let body: String?
    /// In the layout's field order.
    public let values: [JSONValue?]

    public init(_ e: Envelope, layout: SinkLayout) {
        recordType = e.type
        id = e.id
        owner = e.owner
        version = e.vv.jsonText
        writer = e.writer
        hlc = e.hlc.description
        deleted = e.deleted
        masked = e.masked.isEmpty ? nil : JSONWriter.string(.array(e.masked.map { .string($0) }))
        hash = e.hash
        body = e.deleted ? nil : (e.bodyText ?? JSONWriter.string(e.body))
        values = e.deleted ? [] : layout.fields.map { column in
            var value: JSONValue? = e.body
            for key in column.path { value = value?[key] }
            if case .null? = value { return nil }
            return value
        }
    }
}
