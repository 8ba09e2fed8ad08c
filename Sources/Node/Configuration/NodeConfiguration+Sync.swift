import TOMLKit

extension NodeConfiguration {
    /// `[sync]`: how long this node waits on a peer, for `sync --once` and `hutong run` alike.
    public struct SyncSettings: Sendable, Equatable {
        /// One request may take at most this long, however it goes.
        public var timeoutSeconds = 300
        /// A request that moves (almost) no bytes this long is abandoned and tried again:
        /// a peer that answers a byte a second does not hold a sync for the whole timeout.
        public var stallSeconds = 30
        public init() {}
    }

    static let syncKeys = ["timeout_seconds", "stall_seconds"]

    static func sync(_ table: TOMLTable, path: String) throws -> SyncSettings {
        var s = SyncSettings()
        guard let t = try section("sync", of: table, keys: syncKeys, path: path) else { return s }
        for key in syncKeys {
            guard let v = t[key] else { continue }
            guard let n = v.int, n >= 1 else { throw ConfigurationError("\(path): [sync] \(key) must be a whole number of seconds, at least 1") }
            if key == "timeout_seconds" { s.timeoutSeconds = n } else { s.stallSeconds = n }
        }
        return s
    }
}
