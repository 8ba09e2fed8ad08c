import Foundation
import TOMLKit

extension NodeConfiguration {
    /// `[daemon]`: how `hutong run` behaves. Read again on SIGHUP, so an
    /// interval or a log level changes without a restart; `hutong run`'s
    /// options of the same names override them.
    public struct DaemonSettings: Sendable, Equatable {
        /// Every peer is synced at least this often (and at once after a capture stored something).
        public var syncSeconds: Double = 60
        /// The operators' listener (`/`, `/healthz`, `/readyz`, `/metrics`) as HOST:PORT; nil: none.
        public var adminListen: String? = "127.0.0.1:9464"
        /// The lowest level written: trace, debug, info, notice, warning, error.
        public var logLevel = "info"
        /// journal, plain or json; nil: journal under systemd, plain otherwise.
        public var logFormat: String?
        /// A change a peer has lacked this long counts as stuck (the status page, `status --explain`).
        public var staleAfterSeconds: Double = 120
        /// A file in a file-link peer's `in/` folder is taken once unchanged this long.
        public var linkSettleSeconds: Double = 10

        public init() {}

        public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        public static let logFormats = ["journal", "plain", "json"]
    }

    /// The table `[name]` of `table` (nil: none), refused when it is not a table or holds a key not in `keys`.
    static func section(_ name: String, of table: TOMLTable, keys: [String], path: String) throws -> TOMLTable? {
        guard let value = table[name] else { return nil }
        guard let t = value.table else { throw ConfigurationError("\(path): \(name) must be a [\(name)] table") }
        for key in t.keys where !keys.contains(key) {
            throw ConfigurationError("\(path): [\(name)] has an unknown key \(key); its keys are \(keys.joined(separator: ", "))")
        }
        return t
    }

    static let daemonKeys = ["sync_seconds", "admin_listen", "log_level", "log_format", "stale_after_seconds", "link_settle_seconds"]

    static func daemon(_ table: TOMLTable, path: String) throws -> DaemonSettings {
        var d = DaemonSettings()
        guard let t = try section("daemon", of: table, keys: daemonKeys, path: path) else { return d }
        func seconds(_ key: String, least: Double) throws -> Double? {
            guard let v = t[key] else { return nil }
            guard let s = v.double ?? v.int.map(Double.init), s >= least else {
                throw ConfigurationError("\(path): [daemon] \(key) must be a number of seconds, at least \(least)")
            }
            return s
        }
        if let s = try seconds("sync_seconds", least: 0.1) { d.syncSeconds = s }
        if let s = try seconds("stale_after_seconds", least: 0) { d.staleAfterSeconds = s }
        if let s = try seconds("link_settle_seconds", least: 0) { d.linkSettleSeconds = s }
        if let v = t["admin_listen"] {
            guard let text = v.string, text == "off" || hostAndPort(text) != nil else {
                throw ConfigurationError("\(path): [daemon] admin_listen must be HOST:PORT (e.g. \"127.0.0.1:9464\") or \"off\"")
            }
            d.adminListen = text == "off" ? nil : text
        }
        if let v = t["log_level"] {
            guard let level = v.string, DaemonSettings.logLevels.contains(level) else {
                throw ConfigurationError("\(path): [daemon] log_level must be one of \(DaemonSettings.logLevels.joined(separator: ", "))")
            }
            d.logLevel = level
        }
        if let v = t["log_format"] {
            guard let format = v.string, DaemonSettings.logFormats.contains(format) else {
                throw ConfigurationError("\(path): [daemon] log_format must be one of \(DaemonSettings.logFormats.joined(separator: ", "))")
            }
            d.logFormat = format
        }
        return d
    }
}
