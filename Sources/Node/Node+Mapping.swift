import Capture
import Foundation
import Normalise
import Standard

extension Node {
    /// The mapping file at `path`, checked against the standard in `schemas`.
    /// - Throws: `NodeError` listing every problem with its line.
    public static func loadMapping(_ path: String, schemas: URL) throws(NodeError) -> Mapping {
        let dictionary: DataDictionary
        do { dictionary = try DataDictionary(directory: schemas) } catch {
            throw NodeError("cannot load the standard from \(schemas.path): \(error)")
        }
        // Kept with quarantined rows as an absolute path, for retries from anywhere.
        let path = URL(fileURLWithPath: path).standardizedFileURL.path
        do { return try Mapping(file: path, dictionary: dictionary) } catch {
            throw NodeError("\(error)\n\(error.issues.count) problem\(error.issues.count == 1 ? "" : "s") in \(path); nothing was read")
        }
    }

    /// Takes an agency's export file (CSV, NDJSON, JSON) into the store
    /// through `mapping` (`hutong import --mapping`): each row mapped and
    /// validated, stored as a local write, or quarantined with its place and reason.
    /// - Throws: `IntakeError` (unreadable file, missing columns) and the store's errors.
    public func importFile(_ path: String, mapping: Mapping, transactionSize: Int = Intake.defaultTransactionSize) throws -> IntakeReport {
        var source = try MappedSource.file(path, mapping: mapping)
        return try Intake(store: store, catalog: catalog, transactionSize: transactionSize).run(&source)
    }

    /// Takes a table of an agency's SQLite database through `mapping`, read-only
    /// (`hutong import --mapping M --table T DB`).
    public func importTable(_ table: String, of database: String, mapping: Mapping, transactionSize: Int = Intake.defaultTransactionSize) throws -> IntakeReport {
        var source = try MappedSource(rows: try SQLiteTableRows(path: database, table: table), mapping: mapping)
        return try Intake(store: store, catalog: catalog, transactionSize: transactionSize).run(&source)
    }
}
