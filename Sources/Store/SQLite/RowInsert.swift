import GRDB
import GRDBSQLite

/// The record insert bound through SQLite's C API: it runs once per stored
/// record, and binding through `StatementArguments` (an array of values, a C
/// string made of each text, then copied again by SQLite and measured with
/// strlen) cost the applying thread a tenth of its time. Texts are bound in
/// place for the duration of the step.
struct RowInsert {
    let statement: SQLiteStatement
    let db: Database

    init(_ statement: SQLiteStatement, _ db: Database) {
        self.statement = statement
        self.db = db
    }

    /// Binds `seq`, then `texts` from parameter 2, then `deleted`, `hash`,
    /// `optional` (NULL when nil) and `body`, in the order of the insert's
    /// columns, and runs it.
    func run(seq: Int64, texts: [String], deleted: Bool, hash: String, optional: [String?], body: String) throws {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        sqlite3_bind_int64(statement, 1, seq)
        var index: Int32 = 2
        for t in texts {
            try bind(t, at: index)
            index += 1
        }
        sqlite3_bind_int64(statement, index, deleted ? 1 : 0)
        try bind(hash, at: index + 1)
        index += 2
        for t in optional {
            if let t { try bind(t, at: index) }
            index += 1
        }
        // The body, the one long text, is bound without a copy while the step runs.
        var body = body
        let code = body.withUTF8 { b -> Int32 in
            let bound = sqlite3_bind_text(statement, index, Self.pointer(b), Int32(b.count), nil)
            guard bound == SQLITE_OK else { return bound }
            let stepped = sqlite3_step(statement)
            sqlite3_clear_bindings(statement)
            return stepped
        }
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// A text's bytes for SQLite; an empty text has no buffer, and nil would bind NULL.
    static func pointer(_ b: UnsafeBufferPointer<UInt8>) -> UnsafePointer<CChar> {
        UnsafeRawPointer(b.baseAddress ?? ("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private func bind(_ text: String, at index: Int32) throws {
        var text = text
        // SQLITE_TRANSIENT: SQLite copies these short texts.
        let code = text.withUTF8 { b in
            sqlite3_bind_text(statement, index, Self.pointer(b), Int32(b.count),
                              unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
        guard code == SQLITE_OK else { throw error(code) }
    }

    private func error(_ code: Int32) -> DatabaseError { SQLiteNodeStore.error(db, statement, code) }
}
