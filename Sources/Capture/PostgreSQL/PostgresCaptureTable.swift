import Foundation
import Normalise
import Postgres

/// A table of an agency's PostgreSQL database that the node captures: its
/// key column, and the outbox and statement-level triggers that note each
/// change of it.
///
/// The triggers write only (table, key, operation) into `hutong.outbox`, one
/// INSERT … SELECT per statement from its transition table (a bulk insert
/// costs one statement, not one per row), and `NOTIFY hutong` with the table
/// as a constant payload, so a transaction of many rows sends one wake-up.
/// The notification only wakes a reader: notifications are lost when nobody
/// listens, so the outbox is the truth and is read after every (re)connect.
///
/// **The ordering trap.** Notes get their `seq` when written, but become
/// visible when their transaction commits, and transactions commit out of
/// `seq` order: a reader that took "seq greater than the last I read" would
/// step past a note whose transaction was still open. Each note carries its
/// transaction id (`txid`, xid8), and the reader takes only notes of
/// transactions older than the oldest one still running
/// (`pg_snapshot_xmin(pg_current_snapshot())`): those are all committed (or
/// rolled back, and then invisible). A note is cleared by its `seq` once
/// stored, never by key and never by a cursor, so a later note of the same
/// key stays.
///
/// The sink's own writes set `hutong.applying` for their transaction
/// (`SET LOCAL`), and the triggers note nothing then.
public struct PostgresCaptureTable: OutboxTable {
    public let target: PostgresTarget
    /// The table as configured, and as schema-qualified and quoted for SQL.
    public let table: String
    let qualified: String
    /// "schema.table": how the outbox names the table.
    let noteName: String
    public let keyColumn: String
    let keyType: String
    public let columns: [String]
    /// Each column's type as SQL writes it, to compare a cursor with.
    let types: [String: String]
    let kinds: [ColumnKind]
    let session: PostgresSession
    /// A scan's table: its session writes nothing, and no NOTIFY comes from it.
    let readonly: Bool

    enum ColumnKind { case integer, decimal, bool, text }

    /// - Parameter readonly: for a scan: every transaction of the node's session is read-only.
    /// - Throws: `CaptureError` for a server that cannot be reached, a missing table, or one without a usable key.
    public init(target: PostgresTarget, table: String, key: String?, source: String, readonly: Bool = false) throws(CaptureError) {
        self.target = target
        self.table = table
        self.readonly = readonly
        do {
            session = try PostgresSession(target)
            if readonly { try session.execute("SET default_transaction_read_only = on") }
            // The name as written (a table created with quotes), else as PostgreSQL folds it.
            guard let found = try session.rows("""
                SELECT c.oid::text, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND ((c.relname = $1 AND pg_table_is_visible(c.oid)) OR c.oid = to_regclass($1))
                ORDER BY c.relname = $1 DESC LIMIT 1
                """, [.text(table)]).first, let oid = found[0], let schema = found[1], let name = found[2] else {
                let tables = try session.rows("SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND pg_table_is_visible(oid) ORDER BY relname").compactMap { $0[0] }
                throw CaptureError("source \(source): \(target) has no table \(table)\(didYouMean(table, in: tables)) (it has \(tables.joined(separator: ", ")))")
            }
            qualified = PostgresTarget.quoted(schema) + "." + PostgresTarget.quoted(name)
            noteName = "\(schema).\(name)"
            let attributes = try session.rows("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, t.typcategory FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
                """, [.text(oid)])
            columns = attributes.map { $0[0] ?? "" }
            types = Dictionary(attributes.map { ($0[0] ?? "", $0[1] ?? "text") }, uniquingKeysWith: { a, _ in a })
            kinds = attributes.map { a in
                switch (a[2], a[3]) {
                case ("int2", _), ("int4", _), ("int8", _): .integer
                case (_, "N"): .decimal
                case (_, "B"): .bool
                default: .text
                }
            }
            let primary = try session.rows("""
                SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = $1::oid AND i.indisprimary
                """, [.text(oid)]).compactMap { $0[0] }
            if let key {
                guard columns.contains(key) else {
                    throw CaptureError("source \(source): table \(table) has no column \(key) (key = \"\(key)\")\(didYouMean(key, in: columns))")
                }
                keyColumn = key
            } else if primary.count == 1 {
                keyColumn = primary[0]
            } else {
                let why = primary.count > 1 ? "its primary key has \(primary.count) columns (\(primary.joined(separator: ", ")))" : "it has no primary key"
                throw CaptureError("source \(source): table \(table) in \(target): \(why); name one column whose values are unique and never change with key = \"COLUMN\" in its [[sources]] entry")
            }
            let chosen = keyColumn
            keyType = attributes.first { $0[0] == chosen }?[1] ?? "text"
        } catch let e as CaptureError {
            throw e
        } catch {
            throw CaptureError("source \(source): \(error)")
        }
    }

    public var origin: String { "\(target)#\(noteName)" }

    private var key: String { PostgresTarget.quoted(keyColumn) }
    private var function: String { "hutong." + PostgresTarget.quoted("capture_\(noteName)") }
    static let triggers = ["hutong_capture_insert", "hutong_capture_update", "hutong_capture_delete"]

    // MARK: Installing

    public var installSQL: String {
        """
        -- Hutong capture for table \(noteName) (key \(keyColumn)): each statement notes the keys
        -- of the rows it changed; the node reads the rows, stores them, then deletes the notes.
        BEGIN;

        """ + installStatements.map { $0 + ";\n" }.joined() + "COMMIT;\n"
    }

    var installStatements: [String] {
        let name = PostgresTarget.literal(noteName)
        return [
            "CREATE SCHEMA IF NOT EXISTS hutong",
            """
            CREATE TABLE IF NOT EXISTS hutong.outbox (
                seq bigserial PRIMARY KEY,
                txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                tbl text NOT NULL,
                pk text,
                op "char" NOT NULL,
                at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """,
            """
            CREATE OR REPLACE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql AS $hutong$
            BEGIN
                -- The node's own writes (the sink) set this for their transaction.
                IF current_setting('hutong.applying', true) = 'on' THEN RETURN NULL; END IF;
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO hutong.outbox (tbl, pk, op) SELECT \(name), \(key)::text, 'I' FROM new_rows;
                ELSIF TG_OP = 'UPDATE' THEN
                    INSERT INTO hutong.outbox (tbl, pk, op)
                        SELECT \(name), k::text, 'D' FROM (SELECT \(key) AS k FROM old_rows EXCEPT SELECT \(key) FROM new_rows) AS gone;
                    INSERT INTO hutong.outbox (tbl, pk, op) SELECT \(name), \(key)::text, 'U' FROM new_rows;
                ELSE
                    INSERT INTO hutong.outbox (tbl, pk, op) SELECT \(name), \(key)::text, 'D' FROM old_rows;
                END IF;
                -- A wake-up only, with a constant payload: one per transaction.
                PERFORM pg_notify('hutong', \(name));
                RETURN NULL;
            END
            $hutong$
            """,
        ] + dropTriggers + [
            """
            CREATE TRIGGER hutong_capture_insert AFTER INSERT ON \(qualified)
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION \(function)()
            """,
            """
            CREATE TRIGGER hutong_capture_update AFTER UPDATE ON \(qualified)
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION \(function)()
            """,
            """
            CREATE TRIGGER hutong_capture_delete AFTER DELETE ON \(qualified)
                REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION \(function)()
            """,
        ]
    }

    private var dropTriggers: [String] { Self.triggers.map { "DROP TRIGGER IF EXISTS \($0) ON \(qualified)" } }

    var uninstallStatements: [String] {
        dropTriggers + [
            "DROP FUNCTION IF EXISTS \(function)()",
            "DELETE FROM hutong.outbox WHERE tbl = \(PostgresTarget.literal(noteName))",
        ]
    }

    public var uninstallSQL: String { "BEGIN;\n" + uninstallStatements.map { $0 + ";\n" }.joined() + "COMMIT;\n" }

    @discardableResult
    public func install() throws -> Bool {
        let had = try isInstalled()
        try session.execute(transaction: installStatements)
        return had
    }

    public func uninstall() throws {
        // No outbox, no triggers (they are made together); the schema may be the bench's alone.
        guard try session.integer("SELECT count(*) FROM pg_class WHERE oid = to_regclass('hutong.outbox')") == 1 else { return }
        try session.execute(transaction: uninstallStatements)
        if try session.integer("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'hutong\\_capture\\_%'") == 0 {
            try session.execute("DROP SCHEMA hutong CASCADE")
        }
    }

    public func isInstalled() throws -> Bool {
        try session.integer("SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = ANY($2)",
                            [.text(qualified), .texts(Self.triggers)]) == 3
    }

    // MARK: Reading (OutboxTable)

    /// Every column as the text PostgreSQL writes it: exact for numeric,
    /// whatever its scale. Named c0, c1, …: an output column named like the
    /// key would be what ORDER BY sorts by, as text ("10" before "9").
    private var selectList: String {
        ([key] + columns.map(PostgresTarget.quoted)).enumerated().map { "t.\($0.element)::text AS c\($0.offset)" }.joined(separator: ", ")
    }

    public func page(after: String?, limit: Int, since: Watermark?) throws -> (rows: [TableRow], last: String?) {
        var sql = "SELECT \(selectList) FROM \(qualified) AS t WHERE t.\(key) IS NOT NULL"
        var values: [PostgresValue] = []
        if let after {
            values.append(.text(after))
            sql += " AND t.\(key) > $\(values.count)::text::\(keyType)"
        }
        if let since, let type = types[since.column] {
            values.append(.text(since.from))
            sql += " AND t.\(PostgresTarget.quoted(since.column)) >= $\(values.count)::text::\(type)"
        }
        let parsed = try session.rows(sql + " ORDER BY t.\(key) LIMIT \(limit)", values).map(tableRow)
        return (parsed, parsed.last?.key)
    }

    public func latest(_ column: String) throws -> String? {
        try session.rows("SELECT max(t.\(PostgresTarget.quoted(column)))::text FROM \(qualified) AS t").first?[0] ?? nil
    }

    public func keylessRows() throws -> Int {
        Int(try session.integer("SELECT count(*) FROM \(qualified) WHERE \(key) IS NULL") ?? 0)
    }

    /// In sequence order along the primary key; a second index on (tbl, seq)
    /// would spare the filter on tbl, but cost every agency insert 15–25 %
    /// more here, and the outbox holds only what is not yet taken.
    public func notes(limit: Int, excluding taken: Set<Int64>) throws -> [OutboxNote] {
        try session.rows("""
            SELECT seq::text, pk FROM hutong.outbox
            WHERE tbl = $1 AND txid < pg_snapshot_xmin(pg_current_snapshot()) AND seq <> ALL($2)
            ORDER BY seq LIMIT \(limit)
            """, [.text(noteName), .ints(Array(taken))]).map { OutboxNote(seq: Int64($0[0] ?? "") ?? 0, key: $0[1]) }
    }

    public func rows(keys: [String]) throws -> [TableRow] {
        guard !keys.isEmpty else { return [] }
        return try session.rows("SELECT \(selectList) FROM \(qualified) AS t WHERE t.\(key) = ANY($1::text[]::\(keyType)[])", [.texts(keys)]).map(tableRow)
    }

    public func clear(_ seqs: [Int64]) throws {
        try session.rows("DELETE FROM hutong.outbox WHERE seq = ANY($1)", [.ints(seqs)])
    }

    /// Deleted notes stay in the table and its index until a vacuum: every
    /// read of the outbox (in sequence order, from its start) steps over
    /// them, which after a bulk load made each commit's way to the store
    /// several times slower until autovacuum came by, minutes later. A role
    /// that does not own the outbox gets a warning from VACUUM, not an error.
    public func tidy() throws {
        try session.execute("VACUUM hutong.outbox")
    }

    public func backlog() throws -> Int? {
        guard try session.integer("SELECT count(*) FROM pg_class WHERE oid = to_regclass('hutong.outbox')") == 1 else { return nil }
        return Int(try session.integer("SELECT count(*) FROM hutong.outbox WHERE tbl = $1", [.text(noteName)]) ?? 0)
    }

    /// The first note along the primary key: it steps over the dead rows a
    /// large delete leaves until autovacuum has been, where counting reads them all.
    public func hasNotes() throws -> Bool {
        try !session.rows("SELECT seq FROM hutong.outbox WHERE tbl = $1 ORDER BY seq LIMIT 1", [.text(noteName)]).isEmpty
    }

    private func tableRow(_ cells: [String?]) -> TableRow {
        var values: [RowValue] = []
        values.reserveCapacity(kinds.count)
        for (i, kind) in kinds.enumerated() {
            guard let text = cells[i + 1] else { values.append(.null); continue }
            switch kind {
            case .integer: values.append(Int64(text).map(RowValue.integer) ?? .text(text))
            case .decimal: values.append(.decimal(text))
            case .bool: values.append(.bool(text == "true"))
            case .text: values.append(.text(text))
            }
        }
        return TableRow(key: cells[0] ?? "", values: values)
    }
}
