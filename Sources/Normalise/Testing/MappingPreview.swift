import JSON
import Standard

/// The first rows of a source put through a mapping and the standard, side
/// by side: each row as read, the record it becomes and what validation
/// finds, or why it would be quarantined. Nothing is stored. Values of
/// personal fields, and the columns they come from, are masked unless asked.
public struct MappingPreview: Sendable {
    public struct Entry: Sendable {
        /// The file's line or the table's row, and the row's own key (`ID=1006`) when the mapping names one.
        public let location: String
        public let key: String?
        /// The row as read: column → value.
        public let row: JSONValue
        public let outcome: Outcome
    }

    public enum Outcome: Sendable {
        /// A valid record (findings that are only warnings listed).
        case record(JSONValue, warnings: [String])
        /// Quarantined: the field at fault (nil for a row that could not be
        /// read or a record the standard refuses as a whole), and why.
        case quarantined(field: String?, reason: String, record: JSONValue?)
    }

    public let mapping: String
    public let file: String
    public let entries: [Entry]

    /// Reason → rows, for a histogram of what goes wrong.
    public var reasons: [(String, Int)] {
        var counts: [String: Int] = [:]
        for e in entries {
            if case .quarantined(let field, let reason, _) = e.outcome {
                counts["\(field.map { "\($0): " } ?? "")\(MappingProblem.code(in: reason) ?? reason)", default: 0] += 1
            }
        }
        return counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
    }
}

extension Mapping {
    /// `ID=1006` for a row, from the mapping's key columns.
    public func keyText(_ row: SourceRow) -> String? {
        guard !key.isEmpty else { return nil }
        return key.map { "\($0)=\(row[$0].text)" }.joined(separator: ",")
    }

    /// The row as JSON with the columns of personal fields masked, unless
    /// `unmasked`. `exempt`: personal fields the record holds unmasked (a
    /// party's name is personal only for a natural person), whose columns
    /// are shown; every other personal field's columns are masked, used or not.
    public func shown(_ row: SourceRow, unmasked: Bool, exempt: Set<String> = []) -> JSONValue {
        guard !unmasked, case .object(var o) = row.json else { return row.json }
        for rule in fields where rule.personal && !exempt.contains(rule.name) {
            for col in rule.columns { if case .string(let s)? = o[col] { o[col] = .string(PersonalData.mask(s)) } }
        }
        return .object(o)
    }

    public func preview(_ file: some RowReader, catalog: StandardCatalog, limit: Int, unmasked: Bool = false) throws -> MappingPreview {
        let gate = RecordGate(catalog: catalog)
        let personal = catalog.recordTypes[recordType]?.personalFields ?? []
        var entries: [MappingPreview.Entry] = []
        while entries.count < limit, let item = try file.next() {
            switch item.row {
            case .failure(let p):
                entries.append(.init(location: item.location, key: nil, row: .string(unmasked ? p.text : ""), outcome: .quarantined(field: nil, reason: p.reason, record: nil)))
            case .success(let row):
                let outcome: MappingPreview.Outcome
                switch map(row) {
                case .failure(let problem):
                    outcome = .quarantined(field: problem.field, reason: problem.description, record: nil)
                case .success(let record):
                    let verdict = gate.check(record)
                    let (maskedRecord, pointers) = PersonalData.mask(body: record, fields: personal)
                    let shownRecord = unmasked ? record : maskedRecord
                    if verdict.isAcceptable {
                        outcome = .record(shownRecord, warnings: verdict.issues.map { "\($0.instanceLocation) \($0.message)" })
                    } else {
                        outcome = .quarantined(field: nil, reason: verdict.reason(), record: shownRecord)
                    }
                    let maskedFields = Set(pointers.map { $0.dropFirst().replacingOccurrences(of: "/", with: ".") })
                    let exempt = Set(fields.filter { $0.personal && Self.value(at: $0.name, in: record) != nil && !maskedFields.contains($0.name) }.map(\.name))
                    entries.append(.init(location: item.location, key: keyText(row), row: shown(row, unmasked: unmasked, exempt: exempt), outcome: outcome))
                    continue
                }
                entries.append(.init(location: item.location, key: keyText(row), row: shown(row, unmasked: unmasked), outcome: outcome))
            }
        }
        return MappingPreview(mapping: self.file, file: file.origin, entries: entries)
    }
}

extension Mapping {
    /// Each field with the columns it reads (all cases'), in the order the
    /// mapping makes them: how a preview sets a row beside its record.
    public var fieldColumns: [(field: String, columns: [String])] {
        fields.map { ($0.name, $0.columns) }
    }
}
