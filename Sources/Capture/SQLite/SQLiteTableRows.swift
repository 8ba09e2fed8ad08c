import Foundation
import GRDB
import Normalise

/// The rows of a table in an agency's SQLite database, read-only, in pages
/// by rowid (each page a short read, so the agency's own writers are never
/// held up). Values keep their types: a REAL is read as its shortest decimal
/// digits, never as a binary fraction.
public final class SQLiteTableRows: RowReader {
    public let path: String
    public let table: String
    public let header: [String]?
    private let columns: SourceColumns
    private let queue: DatabaseQueue
    private var after: Int64 = .min
    private var page: [RowItem] = []
    private var taken = 0
    private var finished = false
    static let pageSize = 1_000

    /// - Throws: `IntakeError.unreadable` for a database or table that cannot be read.
    public init(path: String, table: String) throws(IntakeError) {
        self.path = path
        self.table = table
        guard FileManager.default.fileExists(atPath: path) else { throw .unreadable(path: path) }
        var config = Configuration()
        config.readonly = true
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            let names = try queue.read { db -> [String] in
                guard try db.tableExists(table) else { return [] }
                return try db.columns(in: table).map(\.name)
            }
            guard !names.isEmpty else {
                let tables = (try? queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") }) ?? []
                throw IntakeError.unreadable(path: "\(path): no table \(table)\(didYouMean(table, in: tables)) (it has \(tables.joined(separator: ", ")))")
            }
            header = names
            columns = SourceColumns(names)
        } catch let e as IntakeError {
            throw e
        } catch {
            throw .unreadable(path: "\(path): \(error)")
        }
    }

    public var origin: String { "\(path)#\(table)" }

    public func next() throws -> RowItem? {
        if taken == page.count {
            guard !finished else { return nil }
            try readPage()
            guard !page.isEmpty else { return nil }
        }
        taken += 1
        return page[taken - 1]
    }

    private func readPage() throws {
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let (columns, origin) = (columns, origin)
        let (items, last) = try queue.read { db in
            var items: [RowItem] = []
            var last: Int64?
            try SQLiteRowValues.rows(db, sql: "SELECT rowid AS \"hutong rowid\", * FROM \(quoted) WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                     arguments: [after, Self.pageSize], key: "hutong rowid", valuesFrom: 1) { values, key in
                let rowid = Int64.fromDatabaseValue(key) ?? 0
                let location = "rowid \(rowid)"
                items.append(RowItem(location: location, row: .success(SourceRow(columns: columns, values: values, origin: origin, location: location))))
                last = rowid
            }
            return (items, last)
        }
        page = items
        finished = items.count < Self.pageSize
        taken = 0
        if let last { after = last }
    }

    static func value(_ v: DatabaseValue) -> RowValue {
        switch v.storage {
        case .null: .null
        case .int64(let n): .integer(n)
        case .double(let d): .decimal(d.description)
        case .string(let s): .text(s)
        case .blob(let data): .text(SQLiteRowValues.hex(data))
        }
    }
}
