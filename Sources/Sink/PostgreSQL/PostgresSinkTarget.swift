import JSON
import Postgres

/// Sink tables in an agency's PostgreSQL database: schema `hutong_in`, a
/// table per record type, each column commented with its field's Chinese name.
public struct PostgresSinkTarget: SinkTarget {
    public let target: PostgresTarget
    public let layouts: [SinkLayout]
    let session: PostgresSession

    static let schema = "hutong_in"

    /// - Throws: `SinkError` when the server cannot be reached.
    public init(target: PostgresTarget, layouts: [SinkLayout], sink: String) throws(SinkError) {
        self.target = target
        self.layouts = layouts
        do { session = try PostgresSession(target) } catch { throw SinkError("sink \(sink): \(error)") }
    }

    public var origin: String { target.description }
    public var tables: [String: String] { Dictionary(uniqueKeysWithValues: layouts.map { ($0.recordType, "\(Self.schema).\($0.recordType)") }) }

    func name(_ layout: SinkLayout) -> String { Self.schema + "." + PostgresTarget.quoted(layout.recordType) }

    static func type(_ kind: SinkColumn.Kind) -> String {
        switch kind {
        case .text: "text"
        case .integer: "bigint"
        case .number: "numeric"
        case .boolean: "boolean"
        }
    }

    /// The fixed columns and the fields, with their types: for CREATE TABLE and jsonb_to_recordset alike.
    func columns(_ layout: SinkLayout) -> [(name: String, type: String)] {
        [("id", "text"), ("owner", "text"), ("version", "jsonb"), ("writer", "text"), ("hlc", "text"), ("deleted", "boolean"),
         ("masked", "jsonb"), ("hash", "text"), ("body", "jsonb")] + layout.fields.map { ($0.name, Self.type($0.kind)) }
    }

    var installStatements: [String] {
        ["CREATE SCHEMA IF NOT EXISTS \(Self.schema)"] + layouts.flatMap { layout -> [String] in
            let table = name(layout)
            let fixed = "id text PRIMARY KEY, owner text NOT NULL, version jsonb NOT NULL, writer text NOT NULL, hlc text NOT NULL, "
                + "deleted boolean NOT NULL, masked jsonb, hash text NOT NULL, body jsonb"
            return ["CREATE TABLE IF NOT EXISTS \(table) (\(fixed))"]
                + layout.fields.map { "ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS \(PostgresTarget.quoted($0.name)) \(Self.type($0.kind))" }
                + ["COMMENT ON TABLE \(table) IS \(PostgresTarget.literal("\(layout.recordType): the node's current records of this type (its own and its peers'). Written by Hutong only."))"]
                + layout.fields.filter { !$0.title.isEmpty }.map {
                    "COMMENT ON COLUMN \(table).\(PostgresTarget.quoted($0.name)) IS \(PostgresTarget.literal($0.title))"
                }
        }
    }

    public var installSQL: String {
        "-- Hutong sink tables: records from the node, for the agency to read.\nBEGIN;\n" + installStatements.map { $0 + ";\n" }.joined() + "COMMIT;\n"
    }

    public var uninstallSQL: String {
        "BEGIN;\n" + layouts.map { "DROP TABLE IF EXISTS \(name($0));\n" }.joined() + "COMMIT;\n"
    }

    @discardableResult
    public func install() throws -> Bool {
        let had = try isInstalled()
        try session.execute(transaction: installStatements)
        return had
    }

    public func uninstall() throws {
        try session.execute(transaction: layouts.map { "DROP TABLE IF EXISTS \(name($0))" })
    }

    public func isInstalled() throws -> Bool {
        try layouts.allSatisfy { layout in
            try session.integer("SELECT count(*) FROM pg_class WHERE oid = to_regclass($1)", [.text(name(layout))]) == 1
        }
    }

    func upsert(_ layout: SinkLayout) -> String {
        let columns = columns(layout)
        let names = columns.map { PostgresTarget.quoted($0.name) }
        let kept = Set(["body"] + layout.fields.map(\.name))
        let sets = columns.dropFirst().map { c -> String in
            let q = PostgresTarget.quoted(c.name)
            return kept.contains(c.name) ? "\(q) = CASE WHEN excluded.deleted THEN t.\(q) ELSE excluded.\(q) END" : "\(q) = excluded.\(q)"
        }
        return """
            WITH changed AS (
                INSERT INTO \(name(layout)) AS t (\(names.joined(separator: ", ")))
                SELECT \(names.joined(separator: ", ")) FROM jsonb_to_recordset($1::jsonb) AS r(\(zip(names, columns).map { "\($0) \($1.type)" }.joined(separator: ", ")))
                ON CONFLICT (id) DO UPDATE SET \(sets.joined(separator: ", ")) WHERE t.hash IS DISTINCT FROM excluded.hash
                RETURNING t.deleted
            ) SELECT count(*), count(*) FILTER (WHERE deleted) FROM changed
            """
    }

    /// The rows of one type as one JSON array, the body's text put in as it is.
    static func json(_ rows: [SinkRow], _ layout: SinkLayout) -> String {
        var out = "["
        for (n, row) in rows.enumerated() {
            if n > 0 { out += "," }
            func text(_ s: String?) -> String { s.map { JSONWriter.string(.string($0)) } ?? "null" }
            out += "{\"id\":\(text(row.id)),\"owner\":\(text(row.owner)),\"version\":\(row.version),\"writer\":\(text(row.writer)),"
            out += "\"hlc\":\(text(row.hlc)),\"deleted\":\(row.deleted),\"masked\":\(row.masked ?? "null"),\"hash\":\(text(row.hash)),\"body\":\(row.body ?? "null")"
            for (i, f) in layout.fields.enumerated() where !row.values.isEmpty {
                guard let v = row.values[i] else { continue }
                out += ",\(JSONWriter.string(.string(f.name))):\(JSONWriter.string(v))"
            }
            out += "}"
        }
        return withoutNUL(out + "]")
    }

    /// `json` with every character U+0000 (`\u0000`) made U+FFFD. jsonb and
    /// text cannot hold it, and JSON can (a peer's record, a row captured
    /// from SQLite): kept, it would fail every write of its page, and the
    /// sink would stop there for good. The node store keeps the record as it came.
    static func withoutNUL(_ json: String) -> String {
        guard json.contains("\\u0000") else { return json }
        let bytes = Array(json.utf8), backslash = UInt8(ascii: "\\"), u = UInt8(ascii: "u"), zero = UInt8(ascii: "0")
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == backslash, i + 1 < bytes.count else {
                out.append(bytes[i])
                i += 1
                continue
            }
            // An escape: `\u0000` is replaced, any other (`\\` among them) is copied whole, so that
            // the text after an escaped backslash is never taken for an escape of its own.
            if bytes[i + 1] == u, i + 5 < bytes.count, bytes[(i + 2)...(i + 5)].allSatisfy({ $0 == zero }) {
                out += Array("\\ufffd".utf8)
                i += 6
            } else {
                out += bytes[i...(i + 1)]
                i += 2
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public func write(_ rows: [SinkRow]) throws -> SinkWrite {
        guard !rows.isEmpty else { return SinkWrite() }
        let groups = Dictionary(grouping: rows, by: \.recordType)
        return try session.transaction {
            // The node's own writes, for this transaction only: the capture triggers note nothing.
            try session.execute("SET LOCAL hutong.applying = 'on'")
            var done = SinkWrite()
            for layout in layouts {
                guard let group = groups[layout.recordType], let counts = try session.rows(upsert(layout), [.text(Self.json(group, layout))]).first else { continue }
                done.changed += Int(counts[0] ?? "") ?? 0
                done.deleted += Int(counts[1] ?? "") ?? 0
            }
            return done
        }
    }
}
