import Normalise

/// What `TriggerSource` and `ScanSource` make alike of a table's rows.
extension SourceTable {
    /// A row as an item for the intake, named by the table and its key.
    func item(_ row: TableRow, columns: SourceColumns, rowHash: Int64? = nil) -> CapturedItem {
        let reference = reference(row.key)
        return CapturedItem(content: .row(SourceRow(columns: columns, values: row.values, origin: reference.origin, location: reference.location)),
                            reference: reference, key: row.key, rowHash: rowHash)
    }

    /// Where the row of `key` is, for messages and quarantine.
    func reference(_ key: String) -> SourceReference {
        SourceReference(origin: origin, location: "\(keyColumn) \(key)")
    }

    /// Rows without a key cannot be followed; they are named, not skipped.
    func keylessItem(_ count: Int) -> CapturedItem {
        CapturedItem(content: .unusable(row: "{}", reason: "\(count) row\(count == 1 ? "" : "s") of \(table) with no \(keyColumn): a row without a key cannot be followed; give \(count == 1 ? "it" : "each") a key, or name another key column with key = \"…\""),
                     reference: SourceReference(origin: origin, location: "\(keyColumn) NULL"))
    }

    /// Fails when the table lacks a column the mapping reads, naming each with its line.
    func check(_ mapping: Mapping, source: String) throws(CaptureError) {
        let missing = mapping.columns.keys.filter { !columns.contains($0) }.sorted()
        guard missing.isEmpty else {
            throw CaptureError("source \(source): table \(table) of \(origin) lacks column\(missing.count == 1 ? "" : "s") the mapping reads: "
                + missing.map { "\($0) (\(mapping.file):\(mapping.columns[$0]!))\(didYouMean($0, in: columns))" }.joined(separator: "; "))
        }
    }
}
