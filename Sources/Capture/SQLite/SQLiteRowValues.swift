import Foundation
import GRDB
import GRDBSQLite
import Normalise

/// Rows of an agency's SQLite table, read column by column from SQLite's own
/// buffers. A snapshot reads every row of the table; a GRDB row (its values
/// copied) and a GRDB value a column, each then converted, cost the reading
/// thread a fifth of what mapping the row does.
enum SQLiteRowValues {
    /// Calls `row` with each row `sql` yields: its values from column
    /// `first` on, and the value of column `key`.
    static func rows(_ db: Database, sql: String, arguments: StatementArguments, key: String, valuesFrom first: Int = 0,
                     _ row: ([RowValue], DatabaseValue) -> Void) throws {
        let statement = try db.makeStatement(sql: sql)
        let count = CInt(statement.columnCount)
        guard let k = statement.index(ofColumn: key) else { throw DatabaseError(message: "no column \(key) in the rows of \(sql)") }
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        let s = statement.sqliteStatement
        while try cursor.next() != nil {
            var values: [RowValue] = []
            values.reserveCapacity(Int(count) - first)
            for i in CInt(first)..<count { values.append(value(s, i)) }
            row(values, DatabaseValue(sqliteStatement: s, index: CInt(k)))
        }
    }

    /// A column's value with its type: a REAL as its shortest decimal digits,
    /// a BLOB as hex digits (as `SQLiteTableRows.value` reads a GRDB value).
    static func value(_ s: SQLiteStatement, _ i: CInt) -> RowValue {
        switch sqlite3_column_type(s, i) {
        case SQLITE_NULL:
            return .null
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(s, i))
        case SQLITE_FLOAT:
            return .decimal(sqlite3_column_double(s, i).description)
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(s, i) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(s, i))), as: UTF8.self))
        default:
            let count = Int(sqlite3_column_bytes(s, i))
            guard count > 0, let blob = sqlite3_column_blob(s, i) else { return .text("") }
            return .text(hex(UnsafeRawBufferPointer(start: blob, count: count)))
        }
    }

    /// A BLOB's bytes as lower-case hex digits: how a BLOB is read as a value or a key.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
