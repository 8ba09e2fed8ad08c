import JSON
import JSONSchema

/// The one place that decides whether a record is acceptable: choose its
/// schema, validate it, and say why not. `hutong validate` (one gate per lane),
/// the intake, conflict resolution and received batches all ask a gate, so a
/// record is judged the same way wherever it enters.
public struct RecordGate: Sendable {
    public let chooser: SchemaChooser

    public init(_ chooser: SchemaChooser) { self.chooser = chooser }

    /// Each record against the type it names (its `type`, its `$schema`, or an envelope's shape).
    public init(catalog: StandardCatalog) { chooser = SchemaChooser(.byRecord(catalog)) }

    /// Every record against the catalog's schema `name` (a record type, `envelope`, `batch-header`, `batch-end`).
    public init?(catalog: StandardCatalog, schema name: String) {
        guard let s = catalog.schema(named: name) else { return nil }
        chooser = SchemaChooser(.fixed(s, name: name))
    }

    /// How much a verdict says: every finding (warnings too, for people reading
    /// a report), or whether there is an error and which (a record that passes
    /// the fast check costs no messages).
    public enum Detail: Sendable { case findings, errors }

    public struct Verdict: Sendable {
        /// The schema the record was checked against, when one could be chosen.
        public var schemaName: String?
        public var issues: [ValidationIssue]
        public var errors: [ValidationIssue] { issues.filter { $0.severity == .error } }
        public var isAcceptable: Bool { !issues.contains { $0.severity == .error } }

        /// The errors on one line, `pointer: message; …`, at most `limit` of them.
        public func reason(limit: Int = .max) -> String {
            errors.prefix(limit).map { $0.instanceLocation.isEmpty ? $0.message : "\($0.instanceLocation): \($0.message)" }.joined(separator: "; ")
        }
    }

    /// A parsed record.
    public func check(_ value: JSONValue, detail: Detail = .errors) -> Verdict {
        switch chooser.choose(for: value) {
        case .failure(let issue):
            return Verdict(schemaName: nil, issues: [issue])
        case .success(let (schema, name)):
            if detail == .errors && schema.isValid(value) { return Verdict(schemaName: name, issues: []) }
            return Verdict(schemaName: name, issues: schema.validate(value))
        }
    }

    /// A record on a tape. Findings at `ignoring` (instance locations, e.g. the
    /// masked values of a copy sent without personal information) do not count.
    /// `ignoring` is asked for only when the record fails the fast check.
    public func check(_ tape: JSONTape, detail: Detail = .errors, ignoring: @autoclosure () -> Set<String> = []) -> Verdict {
        // The chooser reads only top-level members.
        switch chooser.choose(for: tape.topLevel()) {
        case .failure(let issue):
            return Verdict(schemaName: nil, issues: [issue])
        case .success(let (schema, name)):
            if detail == .errors && schema.isValid(tape) { return Verdict(schemaName: name, issues: []) }
            var issues = schema.validate(tape)
            let ignored = ignoring()
            if !ignored.isEmpty { issues.removeAll { ignored.contains($0.instanceLocation) } }
            return Verdict(schemaName: name, issues: issues)
        }
    }
}
