import Foundation
import GRDB
import JSON

/// Sink tables in an agency's SQLite database: `hutong_in_<type>`.
public struct SQLiteSinkTarget: SinkTarget {
    public let path: String
    public let layouts: [SinkLayout]
    let queue: DatabaseQueue

    static let applying = "_hutong_applying"

    /// - Throws: `SinkError` when the database file does not exist.
    public init(path: String, layouts: [SinkLayout], sink: String) throws(SinkError) {
        self.path = path
        self.layouts = layouts
        guard FileManager.default.fileExists(atPath: path) else {
            throw SinkError("sink \(sink): database \(path) does not exist; fix [[sinks]] database in hutong.toml")
        }
        do {
            var config = Configuration()
            config.busyMode = .timeout(10)
            config.foreignKeysEnabled = false
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw SinkError("sink \(sink): cannot open \(path): \(error)")
        }
    }

    public var origin: String { path }
    public var tables: [String: String] { Dictionary(uniqueKeysWithValues: layouts.map { ($0.recordType, $0.sqliteTable) }) }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func type(_ kind: SinkColumn.Kind) -> String {
        switch kind {
        case .text: "TEXT"
        case .integer, .boolean: "INTEGER"
        case .number: "NUMERIC"
        }
    }

    func create(_ layout: SinkLayout) -> String {
        let fields = layout.fields.map { ",\n    \(Self.quoted($0.name)) \(Self.type($0.kind))" }.joined()
        return """
            -- \(layout.recordType): the node's current records of this type (its own and its peers'). Written by Hutong only.
            CREATE TABLE IF NOT EXISTS \(Self.quoted(layout.sqliteTable)) (
                id TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                version TEXT NOT NULL,
                writer TEXT NOT NULL,
                hlc TEXT NOT NULL,
                deleted INTEGER NOT NULL,
                masked TEXT,
                hash TEXT NOT NULL,
                body TEXT\(fields)
            );

            """
    }

    public var installSQL: String {
        "-- Hutong sink tables: records from the node, for the agency to read.\n"
            + "CREATE TABLE IF NOT EXISTS \(Self.applying) (marker INTEGER);\n"
            + layouts.map(create).joined()
    }

    public var uninstallSQL: String {
        layouts.map { "DROP TABLE IF EXISTS \(Self.quoted($0.sqliteTable));\n" }.joined()
    }

    @discardableResult
    public func install() throws -> Bool {
        try queue.write { db in
            let had = try layouts.allSatisfy { try db.tableExists($0.sqliteTable) }
            try db.execute(sql: installSQL)
            // A newer standard's fields: added as columns to a table made before.
            for layout in layouts {
                let have = Set(try db.columns(in: layout.sqliteTable).map(\.name))
                for f in layout.fields where !have.contains(f.name) {
                    try db.execute(sql: "ALTER TABLE \(Self.quoted(layout.sqliteTable)) ADD COLUMN \(Self.quoted(f.name)) \(Self.type(f.kind))")
                }
            }
            return had
        }
    }

    public func uninstall() throws {
        try queue.write { db in try db.execute(sql: uninstallSQL) }
    }

    public func isInstalled() throws -> Bool {
        try queue.read { db in try layouts.allSatisfy { try db.tableExists($0.sqliteTable) } }
    }

    /// An upsert that leaves a row with the same hash alone, and keeps a
    /// tombstone's last body and fields.
    func upsert(_ layout: SinkLayout) -> String {
        let columns = SinkLayout.fixed + layout.fields.map(\.name)
        let kept = ["body"] + layout.fields.map(\.name)
        let sets = columns.dropFirst().map { c -> String in
            let q = Self.quoted(c)
            return kept.contains(c) ? "\(q) = CASE WHEN excluded.deleted THEN \(q) ELSE excluded.\(q) END" : "\(q) = excluded.\(q)"
        }
        return "INSERT INTO \(Self.quoted(layout.sqliteTable)) (\(columns.map(Self.quoted).joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
            + " ON CONFLICT (id) DO UPDATE SET \(sets.joined(separator: ", ")) WHERE hash IS NOT excluded.hash"
    }

    public func write(_ rows: [SinkRow]) throws -> SinkWrite {
        guard !rows.isEmpty else { return SinkWrite() }
        let byType = Dictionary(uniqueKeysWithValues: layouts.map { ($0.recordType, $0) })
        return try queue.write { db in
            // The node's own writes: the capture triggers of this database note nothing while this row is there.
            try db.execute(sql: "INSERT INTO \(Self.applying) (marker) VALUES (1)")
            var done = SinkWrite()
            // One statement a type, made once a write: its text is long.
            var statements: [String: Statement] = [:]
            for row in rows {
                guard let layout = byType[row.recordType] else { continue }
                let statement: Statement
                if let made = statements[row.recordType] { statement = made } else {
                    statement = try db.makeStatement(sql: upsert(layout))
                    statements[row.recordType] = statement
                }
                var arguments: [DatabaseValueConvertible?] = [row.id, row.owner, row.version, row.writer, row.hlc, row.deleted, row.masked, row.hash, row.body]
                for i in layout.fields.indices { arguments.append(row.values.isEmpty ? nil : Self.value(row.values[i])) }
                try statement.execute(arguments: StatementArguments(arguments))
                guard db.changesCount > 0 else { continue }
                done.changed += 1
                if row.deleted { done.deleted += 1 }
            }
            try db.execute(sql: "DELETE FROM \(Self.applying)")
            return done
        }
    }

    static func value(_ v: JSONValue?) -> DatabaseValueConvertible? {
        guard let v else { return nil }
        switch v {
        case .string(let s): return s
        case .bool(let b): return b
        case .int(let n): return n
        case .double(let d): return d
        case .null: return nil
        default: return JSONWriter.string(v)
        }
    }
}
