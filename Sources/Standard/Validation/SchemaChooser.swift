import JSON
import JSONSchema

/// Decides which schema a record is checked against: a fixed one (`--type`,
/// `--schema`), or per record from its `type`, its `$schema`, or its envelope shape.
public struct SchemaChooser: Sendable {
    public enum Mode: Sendable {
        case fixed(JSONSchema, name: String)
        case byRecord(StandardCatalog)
    }

    public let mode: Mode

    public init(_ mode: Mode) { self.mode = mode }

    /// The schema and its name, or the finding that says why none could be chosen.
    public func choose(for record: JSONValue) -> Result<(JSONSchema, String), ValidationIssue> {
        switch mode {
        case .fixed(let s, let name):
            return .success((s, name))
        case .byRecord(let catalog):
            guard case .object(let o) = record else {
                return .failure(issue("a record must be a JSON object, not \(record.typeName)"))
            }
            if o["body"] != nil && o["vv"] != nil, let s = catalog.schema(named: "envelope") {
                return .success((s, "envelope"))
            }
            if o["batch_id"] != nil && o["protocol"] != nil, let s = catalog.schema(named: "batch-header") {
                return .success((s, "batch-header"))
            }
            if o["batch_end"] != nil, let s = catalog.schema(named: "batch-end") {
                return .success((s, "batch-end"))
            }
            if case .string(let t)? = o["type"] {
                if let s = catalog.schema(named: t) { return .success((s, t)) }
                return .failure(issue("unknown record type \"\(t)\"; the standard's types are \(StandardCatalog.recordTypeNames.joined(separator: ", "))", at: "/type"))
            }
            if case .string(let uri)? = o["$schema"] {
                if let name = catalog.schemaName(forSchemaURI: uri), let s = catalog.schema(named: name) { return .success((s, name)) }
                return .failure(issue("$schema \"\(uri)\" is not one of the standard's schemas", at: "/$schema"))
            }
            return .failure(issue("cannot tell which record type this is: it has no \"type\" field; add one (\(StandardCatalog.recordTypeNames.joined(separator: ", "))) or run with --type TYPE"))
        }
    }

    private func issue(_ message: String, at pointer: String = "") -> ValidationIssue {
        ValidationIssue(instanceLocation: pointer, keywordLocation: "", message: message)
    }
}
