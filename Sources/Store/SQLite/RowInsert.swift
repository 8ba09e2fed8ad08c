import GRDB
import GRDBSQLite

/// The texts of the row being inserted, one after another in one buffer that
/// every insert of a transaction reuses.
struct RowTexts {
    private(set) var bytes: [UInt8] = []
    /// Each text's place in `bytes`, in column order; nil for NULL.
    private(set) var bounds: [Range<Int>?] = []

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        bounds.removeAll(keepingCapacity: true)
    }

    mutating func append(_ text: String?) {
        guard let text else { return bounds.append(nil) }
        append { $0.append(contentsOf: text.utf8) }
    }

    /// A text that writes itself (a version vector, a clock) rather than becoming a string first.
    mutating func append(_ write: (inout [UInt8]) -> Void) {
        let start = bytes.count
        write(&bytes)
        bounds.append(start..<bytes.count)
    }
}

/// The record insert bound through SQLite's C API: it runs once per stored
/// record. Binding through `StatementArguments` (an array of values, a C
/// string made of each text, then copied again by SQLite and measured with
/// strlen) was a large part of the applying thread's time; binding Swift strings
/// one by one still had SQLite copy each (a malloc under its memory mutex).
/// Here every text is bound in place from one buffer for the step.
struct RowInsert {
    let statement: SQLiteStatement
    let db: Database

    init(_ statement: SQLiteStatement, _ db: Database) {
        self.statement = statement
        self.db = db
    }

    /// Binds `seq`, `deleted`, then `texts` from parameter 3, in the order
    /// of the insert's columns, and runs it. A failure throws with SQLite's
    /// extended code (a repeated id is SQLITE_CONSTRAINT_UNIQUE).
    func run(seq: Int64, deleted: Bool, texts: RowTexts) throws {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        sqlite3_bind_int64(statement, 1, seq)
        sqlite3_bind_int64(statement, 2, deleted ? 1 : 0)
        let code = texts.bytes.withUnsafeBufferPointer { b -> Int32 in
            for (i, range) in texts.bounds.enumerated() {
                guard let range else { continue }  // cleared: NULL
                // SQLITE_STATIC (nil): the bytes stay put until the step is done.
                let bound = sqlite3_bind_text(statement, Int32(i + 3), Self.pointer(UnsafeBufferPointer(rebasing: b[range])), Int32(range.count), nil)
                guard bound == SQLITE_OK else { return bound }
            }
            let stepped = sqlite3_step(statement)
            sqlite3_clear_bindings(statement)
            return stepped
        }
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else { throw SQLiteNodeStore.error(db, statement, sqlite3_extended_errcode(db.sqliteConnection)) }
    }

    /// A text's bytes for SQLite; an empty text has no buffer, and nil would bind NULL.
    static func pointer(_ b: UnsafeBufferPointer<UInt8>) -> UnsafePointer<CChar> {
        UnsafeRawPointer(b.baseAddress ?? ("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
