import Foundation
import GRDB
import Normalise

/// A table of an agency's SQLite database that the node captures: its key
/// column, and the outbox and triggers that note each change of it.
///
/// The triggers write only (table, key, operation) into `_hutong_outbox`; the
/// node reads the row itself afterwards, so a trigger can neither fail nor
/// carry a stale copy. Their bodies are core SQL that SQLite 3.8 runs (no JSON
/// functions, no UPSERT, no RETURNING): they run inside the agency's own
/// application, whose SQLite may be far older than the node's. SQLite has one
/// writer at a time, so the outbox's AUTOINCREMENT order is commit order: no
/// fence is needed (unlike PostgreSQL). Rows written while `_hutong_applying`
/// holds a row (the sink's own writes, in its transaction) are not noted.
public struct SQLiteCaptureTable: OutboxTable {
    public let path: String
    public let table: String
    /// The column whose value names a row: the table's primary key, or the configured `key`.
    public let keyColumn: String
    public let columns: [String]
    let queue: DatabaseQueue

    static let outbox = "_hutong_outbox"
    static let applying = "_hutong_applying"

    /// - Parameter readonly: for a scan: the connection is opened read-only, and the node writes nothing there.
    /// - Throws: `CaptureError` for a missing database or table, or a table without a usable key.
    public init(path: String, table: String, key: String?, source: String, readonly: Bool = false) throws(CaptureError) {
        self.path = path
        self.table = table
        guard FileManager.default.fileExists(atPath: path) else {
            throw CaptureError("source \(source): database \(path) does not exist; fix [[sources]] database in hutong.toml")
        }
        do {
            let queue = try Self.connect(path, readonly: readonly)
            self.queue = queue
            let (names, primary) = try queue.read { db -> ([String], [String]) in
                guard try db.tableExists(table) else { return ([], []) }
                return (try db.columns(in: table).map(\.name), try db.primaryKey(table).columns)
            }
            guard !names.isEmpty else {
                let tables = (try? queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_hutong_%' ORDER BY name") }) ?? []
                throw CaptureError("source \(source): \(path) has no table \(table)\(didYouMean(table, in: tables)) (it has \(tables.joined(separator: ", ")))")
            }
            columns = names
            if let key {
                guard names.contains(key) else {
                    throw CaptureError("source \(source): table \(table) has no column \(key) (key = \"\(key)\")\(didYouMean(key, in: names))")
                }
                keyColumn = key
            } else if primary.count == 1, primary[0] != "rowid" {
                keyColumn = primary[0]
            } else {
                let why = primary.count > 1 ? "its primary key has \(primary.count) columns (\(primary.joined(separator: ", ")))" : "it has no primary key"
                throw CaptureError("source \(source): table \(table) in \(path): \(why); name one column whose values are unique and never change with key = \"COLUMN\" in its [[sources]] entry")
            }
        } catch let e as CaptureError {
            throw e
        } catch {
            throw CaptureError("source \(source): cannot read \(path): \(error)")
        }
    }

    /// A connection to the agency's database that waits for its writers
    /// (they hold the lock for short transactions) instead of failing at once.
    static func connect(_ path: String, readonly: Bool) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = readonly
        config.busyMode = .timeout(10)
        // The agency's schema is theirs: nothing is switched on or off in it.
        config.foreignKeysEnabled = false
        return try DatabaseQueue(path: path, configuration: config)
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// The names of this table's three triggers.
    var triggerNames: [String] { ["insert", "update", "delete"].map { "_hutong_capture_\(table)_\($0)" } }

    /// The SQL that installs the outbox and the triggers, for the node to run
    /// or a DBA to read and apply (`hutong capture install --print`).
    public var installSQL: String {
        let t = Self.quoted(table), k = Self.quoted(keyColumn), name = Self.literal(table)
        let names = triggerNames.map(Self.quoted)
        let unlessSink = "WHEN NOT EXISTS (SELECT 1 FROM \(Self.applying))"
        return """
            -- Hutong capture for table \(table) (key \(keyColumn)): each change notes the row's key;
            -- the node reads the row, stores it, then deletes the note.
            CREATE TABLE IF NOT EXISTS \(Self.outbox) (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                tbl TEXT NOT NULL,
                pk,
                op TEXT NOT NULL,
                at REAL NOT NULL DEFAULT (julianday('now'))
            );
            -- The node's own writes into this database (the sink) hold a row here, in their transaction.
            CREATE TABLE IF NOT EXISTS \(Self.applying) (marker INTEGER);
            DROP TRIGGER IF EXISTS \(names[0]);
            DROP TRIGGER IF EXISTS \(names[1]);
            DROP TRIGGER IF EXISTS \(names[2]);
            CREATE TRIGGER \(names[0]) AFTER INSERT ON \(t) \(unlessSink)
            BEGIN
                INSERT INTO \(Self.outbox) (tbl, pk, op) VALUES (\(name), NEW.\(k), 'I');
            END;
            CREATE TRIGGER \(names[1]) AFTER UPDATE ON \(t) \(unlessSink)
            BEGIN
                INSERT INTO \(Self.outbox) (tbl, pk, op) SELECT \(name), OLD.\(k), 'D' WHERE OLD.\(k) IS NOT NEW.\(k);
                INSERT INTO \(Self.outbox) (tbl, pk, op) VALUES (\(name), NEW.\(k), 'U');
            END;
            CREATE TRIGGER \(names[2]) AFTER DELETE ON \(t) \(unlessSink)
            BEGIN
                INSERT INTO \(Self.outbox) (tbl, pk, op) VALUES (\(name), OLD.\(k), 'D');
            END;

            """
    }

    /// The SQL that removes this table's triggers and notes (and the outbox,
    /// when no other table is captured).
    public var uninstallSQL: String {
        triggerNames.map { "DROP TRIGGER IF EXISTS \(Self.quoted($0));\n" }.joined()
            + "DELETE FROM \(Self.outbox) WHERE tbl = \(Self.literal(table));\n"
    }

    /// Installs (or re-installs) the triggers in one transaction. Returns whether they were already there.
    @discardableResult
    public func install() throws -> Bool {
        try queue.write { db in
            let had = try Self.installed(db, triggerNames)
            try db.execute(sql: installSQL)
            return had
        }
    }

    /// Removes the triggers; the outbox and marker tables too when no other table is captured.
    public func uninstall() throws {
        try queue.write { db in
            guard try db.tableExists(Self.outbox) else { return }
            try db.execute(sql: uninstallSQL)
            let others = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '\\_hutong\\_capture\\_%' ESCAPE '\\'") ?? 0
            if others == 0 {
                try db.execute(sql: "DROP TABLE \(Self.outbox); DROP TABLE IF EXISTS \(Self.applying)")
            }
        }
    }

    /// Notes waiting in the outbox for this table; nil when there is no outbox.
    public func backlog() throws -> Int? {
        try queue.read { db in
            guard try db.tableExists(Self.outbox) else { return nil }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(Self.outbox) WHERE tbl = ?", arguments: [table]) ?? 0
        }
    }

    /// Whether all three triggers are in place.
    public func isInstalled() throws -> Bool {
        try queue.read { db in try Self.installed(db, triggerNames) }
    }

    static func installed(_ db: Database, _ names: [String]) throws -> Bool {
        let found = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IS NOT NULL")
        return names.allSatisfy(found.contains)
    }

    public var origin: String { "\(path)#\(table)" }

    // MARK: Reading (OutboxTable)

    private var quotedTable: String { Self.quoted(table) }
    private var quotedKey: String { Self.quoted(keyColumn) }

    public func page(after: String?, limit: Int, since: Watermark?) throws -> (rows: [TableRow], last: String?) {
        var arguments: [DatabaseValue] = []
        var sql = "SELECT * FROM \(quotedTable) WHERE \(quotedKey) IS NOT NULL"
        if let after {
            sql += " AND \(quotedKey) > ?"
            arguments.append(try Self.keyValue(after))
        }
        if let since {
            sql += " AND \(Self.quoted(since.column)) >= ?"
            arguments.append(try Self.keyValue(since.from))
        }
        sql += " ORDER BY \(quotedKey) LIMIT \(limit)"
        return try queue.read { db in
            var rows: [TableRow] = []
            var last: DatabaseValue?
            try SQLiteRowValues.rows(db, sql: sql, arguments: StatementArguments(arguments), key: keyColumn) { values, key in
                rows.append(TableRow(key: Self.keyText(key), values: values))
                last = key
            }
            return (rows, last.map(Self.cursor))
        }
    }

    public func latest(_ column: String) throws -> String? {
        try queue.read { db in
            let value = try DatabaseValue.fetchOne(db, sql: "SELECT MAX(\(Self.quoted(column))) FROM \(quotedTable)") ?? .null
            return value.isNull ? nil : Self.cursor(value)
        }
    }

    public func keylessRows() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(quotedTable) WHERE \(quotedKey) IS NULL") ?? 0 }
    }

    /// SQLite has one writer at a time: notes are in commit order, and every
    /// note is taken as soon as it is there.
    public func notes(limit: Int, excluding taken: Set<Int64>) throws -> [OutboxNote] {
        let after = taken.max() ?? 0
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, pk FROM \(Self.outbox) WHERE tbl = ? AND seq > ? ORDER BY seq LIMIT \(limit)", arguments: [table, after])
                .map { row in
                    let key = row["pk"] as DatabaseValue
                    return OutboxNote(seq: row["seq"], key: key.isNull ? nil : Self.keyText(key))
                }
        }
    }

    public func rows(keys: [String]) throws -> [TableRow] {
        try queue.read { db in
            var rows: [TableRow] = []
            // In pieces: old SQLite allows 999 parameters a statement. A key is
            // matched as the text it was noted as, whatever the column's type.
            for start in stride(from: 0, to: keys.count, by: 500) {
                let piece = Array(keys[start..<min(keys.count, start + 500)])
                let marks = Array(repeating: "?", count: piece.count).joined(separator: ", ")
                try SQLiteRowValues.rows(db, sql: "SELECT * FROM \(quotedTable) WHERE \(quotedKey) IN (\(marks))",
                                         arguments: StatementArguments(piece), key: keyColumn) { values, key in
                    rows.append(TableRow(key: Self.keyText(key), values: values))
                }
            }
            return rows
        }
    }

    /// Nothing to do: SQLite frees a deleted row's space at once.
    public func tidy() throws {}

    public func clear(_ seqs: [Int64]) throws {
        try queue.write { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM \(Self.outbox) WHERE seq = ?")
            for seq in seqs { try statement.execute(arguments: [seq]) }
        }
    }

    /// A key with its type, for a snapshot's cursor (i: integer, r: real, t: text, b: hex blob).
    static func cursor(_ key: DatabaseValue) -> String {
        switch key.storage {
        case .int64(let n): "i:\(n)"
        case .double(let d): "r:\(d)"
        case .string(let s): "t:\(s)"
        case .blob(let b): "b:" + SQLiteRowValues.hex(b)
        case .null: "t:"
        }
    }

    static func keyValue(_ cursor: String) throws -> DatabaseValue {
        let text = String(cursor.dropFirst(2))
        switch cursor.prefix(2) {
        case "i:": if let n = Int64(text) { return n.databaseValue }
        case "r:": if let d = Double(text) { return d.databaseValue }
        case "t:": return text.databaseValue
        case "b:":
            var bytes: [UInt8] = []
            var i = text.startIndex
            while i < text.endIndex, let j = text.index(i, offsetBy: 2, limitedBy: text.endIndex), let b = UInt8(text[i..<j], radix: 16) {
                bytes.append(b)
                i = j
            }
            return Data(bytes).databaseValue
        default: break
        }
        throw CaptureError("the snapshot's position \"\(cursor)\" is not one this version knows")
    }

    /// A row's key as the store links it: an integer's digits, a text as is
    /// (the text the row's value is mapped from).
    static func keyText(_ value: DatabaseValue) -> String { SQLiteTableRows.value(value).text }
}
