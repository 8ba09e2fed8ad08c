import GRDB
import GRDBSQLite
import Replication
import Standard
import JSON

/// Serving a peer that gets versions as they are stored: rows stepped through
/// SQLite's C API and written out as envelope lines from the columns' own
/// bytes: making an envelope of each row first (every text checked again as a
/// Swift string, the version vector parsed) and writing it back out would be
/// much of what a node spends serving a pull.
extension SQLiteNodeStore {
    public func changeLines(since: Int64, excludingPeer: String?, limit: Int, including: (String) -> Bool,
                            into out: inout [UInt8]) throws -> ChangeLines {
        try pool.read { db in
            let s = try db.cachedStatement(sql: Self.changesSQL).sqliteStatement
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
            defer {
                sqlite3_reset(s)
                sqlite3_clear_bindings(s)
            }
            var peer = excludingPeer ?? ""
            let bound = peer.withUTF8 { p in
                sqlite3_bind_text(s, 2, RowInsert.pointer(p), Int32(p.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
            guard bound == SQLITE_OK, sqlite3_bind_int64(s, 1, since) == SQLITE_OK, sqlite3_bind_int64(s, 3, Int64(limit)) == SQLITE_OK else {
                throw Self.error(db, s, sqlite3_errcode(db.sqliteConnection))
            }
            typealias C = RecordColumn
            func text(_ column: Int) -> UnsafeBufferPointer<UInt8> {
                // The pointer first, then the length (SQLite's order).
                let p = sqlite3_column_text(s, Int32(column))
                return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, Int32(column))))
            }
            func isNull(_ column: Int) -> Bool { sqlite3_column_type(s, Int32(column)) == SQLITE_NULL }
            var scanned = 0, lines = 0
            var lastRow: Int64 = 0
            while true {
                let code = sqlite3_step(s)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw Self.error(db, s, code) }
                scanned += 1
                lastRow = sqlite3_column_int64(s, Int32(C.seq))
                guard including(String(decoding: text(C.type), as: UTF8.self)) else { continue }
                EnvelopeLine.write(into: &out, deleted: sqlite3_column_int64(s, Int32(C.deleted)) != 0,
                                   conflicts: !isNull(C.conflicts), masked: !isNull(C.masked)) { part, out in
                    switch part {
                    case .id: JSONWriter.writeString(utf8: text(C.id), into: &out)
                    case .type: JSONWriter.writeString(utf8: text(C.type), into: &out)
                    case .owner: JSONWriter.writeString(utf8: text(C.owner), into: &out)
                    case .hlc: JSONWriter.writeString(utf8: text(C.hlc), into: &out)
                    case .writer: JSONWriter.writeString(utf8: text(C.writer), into: &out)
                    case .hash: JSONWriter.writeString(utf8: text(C.hash), into: &out)
                    // Stored as JSON text in the line's own form.
                    case .vv: out.append(contentsOf: text(C.vv))
                    case .conflicts: out.append(contentsOf: text(C.conflicts))
                    case .masked: out.append(contentsOf: text(C.masked))
                    case .body: out.append(contentsOf: text(C.body))
                    }
                }
                out.append(0x0A)
                lines += 1
            }
            return ChangeLines(lines: lines, scanned: scanned,
                               lastSequence: try Self.lookedAt(db, since: since, rows: scanned, limit: limit, lastRow: lastRow))
        }
    }

    static func error(_ db: Database, _ statement: SQLiteStatement, _ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                      sql: String(cString: sqlite3_sql(statement)))
    }
}
