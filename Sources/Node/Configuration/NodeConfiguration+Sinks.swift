import Foundation
import Standard
import TOMLKit

extension NodeConfiguration {
    /// One `[[sinks]]`: an agency database the node writes its current
    /// records into, in tables of its own (`hutong_in_<type>`, or schema `hutong_in`).
    public struct SinkSettings: Sendable {
        /// Short and stable: the store keeps the sink's cursor under it.
        public let name: String
        /// A SQLite file, or `postgres://USER@HOST:PORT/DATABASE`.
        public let database: String
        public var passwordFile: String?
        /// The record types written; all the standard's by default.
        public let types: [String]

        public var isPostgres: Bool { database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") }

        /// The table of `type` in the database, as a source would name it.
        func table(_ type: String) -> String { isPostgres ? "hutong_in.\(type)" : "hutong_in_\(type)" }
    }

    static let sinkKeys = ["name", "database", "password_file", "types"]

    /// The `[[sinks]]` tables of `table`, checked; none may share a name with
    /// a source, and no source may capture a sink's table (its rows would come back).
    static func sinks(_ table: TOMLTable, path: String, sources: [SourceSettings], resolve: (String) -> String) throws -> [SinkSettings] {
        var out: [SinkSettings] = []
        for (i, item) in (table["sinks"]?.array ?? TOMLArray()).enumerated() {
            let at = "\(path): sinks[\(i + 1)]"
            guard let t = item.table else { throw ConfigurationError("\(at) must be a [[sinks]] table") }
            for key in t.keys where !sinkKeys.contains(key) {
                throw ConfigurationError("\(at) has an unknown key \(key); its keys are \(sinkKeys.joined(separator: ", "))")
            }
            guard let name = t["name"]?.string, NodeID.isValid(name) else {
                throw ConfigurationError("\(at) needs name = \"…\": lower-case letters, digits and '-', starting with a letter (the store keeps the sink's cursor under it)")
            }
            guard let database = t["database"]?.string, !database.isEmpty else {
                throw ConfigurationError("\(path): sink \(name) needs database = \"…\" (the agency's SQLite database file, or postgres://USER@HOST:PORT/DATABASE)")
            }
            let isPostgres = database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
            var types = StandardCatalog.recordTypeNames.sorted()
            if let list = t["types"] {
                guard let array = list.array, !array.isEmpty else { throw ConfigurationError("\(path): sink \(name): types must be a list of record types, e.g. [\"penalty\"]") }
                types = try array.map { value in
                    guard let s = value.string, StandardCatalog.recordTypeNames.contains(s) else {
                        throw ConfigurationError("\(path): sink \(name): \(value.string ?? "a value") is not a record type of the standard; they are \(StandardCatalog.recordTypeNames.sorted().joined(separator: ", "))")
                    }
                    return s
                }
            }
            var settings = SinkSettings(name: name, database: isPostgres ? database : URL(fileURLWithPath: resolve(database)).standardizedFileURL.path, types: types)
            if let file = t["password_file"]?.string {
                guard isPostgres else { throw ConfigurationError("\(path): sink \(name): password_file is for a PostgreSQL database (database = \"postgres://…\")") }
                settings.passwordFile = resolve(file)
            }
            if out.contains(where: { $0.name == name }) || sources.contains(where: { $0.name == name }) {
                throw ConfigurationError("\(path): two sources or sinks are named \(name); each needs its own name")
            }
            for s in sources where s.database == settings.database {
                let captured = s.table.lowercased()
                if let type = types.first(where: { settings.table($0) == captured || (isPostgres && "hutong_in.\($0)" == "hutong_in." + captured) }) {
                    throw ConfigurationError("\(path): source \(s.name) captures \(s.table), the table sink \(name) writes \(type) records into: what the node writes would come back as the agency's own; capture the agency's own table instead")
                }
            }
            out.append(settings)
        }
        return out
    }
}
