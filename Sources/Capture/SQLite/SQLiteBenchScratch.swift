import Foundation
import GRDB
import GRDBSQLite

/// `_hutong_bench`: a table made by the captured table's own CREATE
/// statement (its types, key and constraints), filled with copies of its
/// rows under new keys.
public struct SQLiteBenchScratch: BenchScratch {
    let source: SQLiteCaptureTable
    let queue: DatabaseQueue
    static let name = "_hutong_bench"
    let columns: String
    /// Copies of the rows get keys past the table's own: integer keys counted
    /// on from its highest (whatever its span), others suffixed.
    let integerKey: Bool
    let top: Int64
    let bottom: Int64
    let count: Int
    /// Up to `sampleSize` of the table's rows, for the inserts made with values.
    let sample: [[DatabaseValue]]
    let keyIndex: Int
    static let sampleSize = 10_000

    public init(_ source: SQLiteCaptureTable) throws {
        self.source = source
        queue = try SQLiteCaptureTable.connect(source.path, readonly: false)
        let table = source.table, key = SQLiteCaptureTable.quoted(source.keyColumn)
        let (create, indexes, stats) = try queue.read { db -> (String?, [String], Row?) in
            (try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]),
             try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", arguments: [table]),
             try Row.fetchOne(db, sql: "SELECT count(*), min(\(key)), max(\(key)), typeof(min(\(key))) FROM \(SQLiteCaptureTable.quoted(table)) WHERE \(key) IS NOT NULL"))
        }
        guard let create, let stats, let n = stats[0] as Int?, n > 0 else {
            throw CaptureError("\(source.origin): the table has no rows; the bench inserts copies of its rows, so it needs some")
        }
        // The table's own statement under the scratch name.
        guard let open = create.firstIndex(of: "(") else { throw CaptureError("\(source.origin): cannot read the table's CREATE statement") }
        let statement = "CREATE TABLE \(Self.name) " + create[open...]
        // Its indexes too: each costs every insert.
        let copies = indexes.enumerated().compactMap { n, sql -> String? in
            guard let on = sql.range(of: " ON ", options: .caseInsensitive), let paren = sql[on.upperBound...].firstIndex(of: "(") else { return nil }
            let unique = sql.prefix(20).uppercased().contains("UNIQUE") ? "UNIQUE " : ""
            return "CREATE \(unique)INDEX \(Self.name)_\(n) ON \(Self.name) " + sql[paren...]
        }
        try queue.write { db in
            try db.execute(sql: "DROP TABLE IF EXISTS \(Self.name)")
            try db.execute(sql: statement)
            for index in copies { try db.execute(sql: index) }
        }
        count = n
        integerKey = (stats[3] as String?) == "integer"
        top = integerKey ? (stats[2] as Int64? ?? 0) : 0
        bottom = integerKey ? (stats[1] as Int64? ?? 0) : 0
        columns = source.columns.map(SQLiteCaptureTable.quoted).joined(separator: ", ")
        keyIndex = source.columns.firstIndex(of: source.keyColumn) ?? 0
        let names = columns
        sample = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT \(names) FROM \(SQLiteCaptureTable.quoted(table)) WHERE \(key) IS NOT NULL LIMIT \(Self.sampleSize)")
                .map { row in (0..<row.count).map { row[$0] as DatabaseValue } }
        }
    }

    public func table() throws -> any OutboxTable {
        try SQLiteCaptureTable(path: source.path, table: Self.name, key: source.keyColumn, source: "bench")
    }

    /// An INSERT of `rows` copies, the `copy`-th set of copies of this round first.
    private func insert(_ rows: Int, round: Int, offset: Int) -> String {
        let key = SQLiteCaptureTable.quoted(source.keyColumn)
        let sets = (rows + count - 1) / count
        let newKey = integerKey
            ? Self.integerKey(offset: offset, sets: sets, top: top, bottom: bottom, key: "t.\(key)", cast: "")
            : "\(key) || '#' || (r.k + \(round * 1_000_000 + offset))"
        let select = source.columns.map { $0 == source.keyColumn ? newKey : "t." + SQLiteCaptureTable.quoted($0) }.joined(separator: ", ")
        return """
            WITH RECURSIVE r(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM r WHERE k < \(sets - 1))
            INSERT INTO \(Self.name) (\(columns)) SELECT \(select) FROM r, \(SQLiteCaptureTable.quoted(source.table)) AS t WHERE t.\(key) IS NOT NULL LIMIT \(rows)
            """
    }

    public func insertBulk(_ rows: Int, round: Int) throws {
        try queue.write { db in try db.execute(sql: insert(rows, round: round, offset: 0)) }
    }

    public func insertBatch(_ rows: Int, round: Int) throws {
        let marks = Array(repeating: "?", count: sample[0].count).joined(separator: ", ")
        try queue.write { db in
            let statement = try db.makeStatement(sql: "INSERT INTO \(Self.name) (\(columns)) VALUES (\(marks))")
            // Bound and run through the C API, as a lean driver does: what
            // GRDB adds a row would hide part of what the triggers add.
            let s = statement.sqliteStatement
            for i in 0..<rows {
                var values = sample[i % sample.count]
                // New keys as `insert` makes them: integers counted on, texts suffixed.
                if integerKey {
                    values[keyIndex] = (top + 1 + Int64(i)).databaseValue
                } else {
                    values[keyIndex] = "\(SQLiteTableRows.value(values[keyIndex]).text)#\(i / sample.count + round * 1_000_000)".databaseValue
                }
                sqlite3_reset(s)
                for (n, value) in values.enumerated() { Self.bind(s, CInt(n + 1), value) }
                let code = sqlite3_step(s)
                guard code == SQLITE_DONE else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
            }
            sqlite3_reset(s)
        }
    }

    static func bind(_ s: SQLiteStatement, _ n: CInt, _ value: DatabaseValue) {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        switch value.storage {
        case .null: sqlite3_bind_null(s, n)
        case .int64(let v): sqlite3_bind_int64(s, n, v)
        case .double(let v): sqlite3_bind_double(s, n, v)
        case .string(let v): sqlite3_bind_text(s, n, v, -1, transient)
        case .blob(let v): _ = v.withUnsafeBytes { sqlite3_bind_blob(s, n, $0.baseAddress, CInt($0.count), transient) }
        }
    }

    public func insertEach(_ rows: Int, round: Int) throws {
        for i in 0..<rows {
            let sql = insert(1, round: round, offset: 10_000 + i)
            try queue.write { db in try db.execute(sql: sql) }
        }
    }

    public func empty() throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM \(Self.name)")
            if try db.tableExists(SQLiteCaptureTable.outbox) {
                try db.execute(sql: "DELETE FROM \(SQLiteCaptureTable.outbox) WHERE tbl = ?", arguments: [Self.name])
            }
        }
    }

    public func drop() throws {
        let scratch = try table()
        try scratch.uninstall()
        try queue.write { db in try db.execute(sql: "DROP TABLE IF EXISTS \(Self.name)") }
    }
}
