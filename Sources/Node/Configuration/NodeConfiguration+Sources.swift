import Foundation
import TOMLKit

extension NodeConfiguration {
    /// One `[[sources]]`: an agency table the node captures, read through a mapping.
    public struct SourceSettings: Sendable {
        /// Short and stable: the store keeps the source's position and its rows' links under it.
        public let name: String
        /// The agency's database: a SQLite file, or `postgres://USER@HOST:PORT/DATABASE`.
        public let database: String
        /// For PostgreSQL: a file holding the password (else `PGPASSWORD`, else none).
        public var passwordFile: String?
        public let table: String
        /// The column that names a row when the table's primary key is not one column.
        public let key: String?
        public let mapping: String
        /// How changes are found: "trigger" (an outbox the triggers fill) or
        /// "scan" (the table is read, never altered; rows are compared by hash).
        public let mode: String
        /// For a scan: a column whose value grows with each change
        /// (`UPDATE_TIME`), so that most scans read only rows at or after
        /// the last value seen; nil: every scan reads the whole table.
        public var watermark: String?
        /// For a scan: how often it runs under `capture --follow`.
        public var scanSeconds = 30
        /// For a scan with a watermark: how often the whole table is read,
        /// which finds deleted rows and rows committed behind the watermark.
        public var fullScanSeconds = 3_600

        public var isScan: Bool { mode == "scan" }
    }

    static let sourceKeys = ["name", "database", "password_file", "table", "key", "mapping", "mode", "watermark", "scan_seconds", "full_scan_seconds"]
    static let sourceModes = ["trigger", "scan"]

    /// The `[[sources]]` tables of `table`, checked.
    static func sources(_ table: TOMLTable, path: String, resolve: (String) -> String) throws -> [SourceSettings] {
        var out: [SourceSettings] = []
        for (i, item) in (table["sources"]?.array ?? TOMLArray()).enumerated() {
            let at = "\(path): sources[\(i + 1)]"
            guard let t = item.table else { throw ConfigurationError("\(at) must be a [[sources]] table") }
            for key in t.keys where !sourceKeys.contains(key) {
                throw ConfigurationError("\(at) has an unknown key \(key); its keys are \(sourceKeys.joined(separator: ", "))")
            }
            guard let name = t["name"]?.string, NodeID.isValid(name) else {
                throw ConfigurationError("\(at) needs name = \"…\": lower-case letters, digits and '-', starting with a letter (the store keeps the source's position under it)")
            }
            func required(_ key: String, _ what: String) throws -> String {
                guard let v = t[key]?.string, !v.isEmpty else { throw ConfigurationError("\(path): source \(name) needs \(key) = \"…\" (\(what))") }
                return v
            }
            let database = try required("database", "the agency's SQLite database file, or postgres://USER@HOST:PORT/DATABASE")
            let tableName = try required("table", "the table to capture")
            let mapping = try required("mapping", "the mapping its rows are read through, docs/mappings.md")
            let mode = t["mode"]?.string ?? "trigger"
            guard sourceModes.contains(mode) else {
                throw ConfigurationError("\(path): source \(name): mode \"\(mode)\" is not one of \(sourceModes.joined(separator: ", "))")
            }
            let isPostgres = database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
            var settings = SourceSettings(name: name, database: isPostgres ? database : URL(fileURLWithPath: resolve(database)).standardizedFileURL.path,
                                          table: tableName, key: t["key"]?.string, mapping: resolve(mapping), mode: mode)
            for key in ["watermark", "scan_seconds", "full_scan_seconds"] where t[key] != nil && mode != "scan" {
                throw ConfigurationError("\(path): source \(name): \(key) is for mode = \"scan\"; a trigger source is read as its outbox fills")
            }
            settings.watermark = t["watermark"]?.string
            for (key, keyPath) in [("scan_seconds", \SourceSettings.scanSeconds), ("full_scan_seconds", \SourceSettings.fullScanSeconds)] {
                guard let value = t[key] else { continue }
                guard let n = value.int, n > 0 else { throw ConfigurationError("\(path): source \(name): \(key) must be a positive whole number of seconds") }
                settings[keyPath: keyPath] = n
            }
            if let file = t["password_file"]?.string {
                guard isPostgres else { throw ConfigurationError("\(path): source \(name): password_file is for a PostgreSQL database (database = \"postgres://…\")") }
                settings.passwordFile = resolve(file)
            }
            if out.contains(where: { $0.name == name }) { throw ConfigurationError("\(path): two sources are named \(name); each needs its own name") }
            if let other = out.first(where: { $0.database == settings.database && $0.table == tableName }) {
                throw ConfigurationError("\(path): sources \(other.name) and \(name) both capture table \(tableName) of \(settings.database); one source a table")
            }
            out.append(settings)
        }
        return out
    }
}
