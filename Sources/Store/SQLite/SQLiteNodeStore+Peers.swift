import Foundation
import GRDB
import Replication

extension SQLiteNodeStore {
    public func noteSync(peer: String, error: String?) throws {
        let now = StoreClock.timestamp()
        try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO peer_contacts (peer) VALUES (?)", arguments: [peer])
            if let error {
                try db.execute(sql: "UPDATE peer_contacts SET last_error = ?, last_error_at = ?, failing_since = coalesce(failing_since, ?) WHERE peer = ?",
                               arguments: [error, now, now, peer])
            } else {
                try db.execute(sql: "UPDATE peer_contacts SET last_sync = ?, last_error = NULL, last_error_at = NULL, failing_since = NULL WHERE peer = ?",
                               arguments: [now, peer])
            }
        }
    }

    public func noteCall(peer: String, pulledTo: Int64?) throws {
        let now = StoreClock.timestamp()
        try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO peer_contacts (peer) VALUES (?)", arguments: [peer])
            try db.execute(sql: "UPDATE peer_contacts SET last_called = ?, pulled_to = coalesce(?, pulled_to) WHERE peer = ?", arguments: [now, pulledTo, peer])
        }
    }

    public func peerContacts() throws -> [PeerContact] {
        func date(_ text: String?) -> Date? { text.flatMap { try? StoreClock.style.parse($0) } }
        return try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM peer_contacts ORDER BY peer").map { row in
                var c = PeerContact(peer: row["peer"])
                c.lastSync = date(row["last_sync"])
                c.lastError = row["last_error"]
                c.lastErrorAt = date(row["last_error_at"])
                c.failingSince = date(row["failing_since"])
                c.lastCalled = date(row["last_called"])
                c.pulledTo = row["pulled_to"]
                return c
            }
        }
    }

    public func pendingChanges(for peer: String, after sequence: Int64, type: String?, limit: Int) throws -> PendingChanges {
        try pool.read { db in
            // By the change log's own order, stopping at `limit`: a peer far behind costs a bounded read.
            let typed = type == nil ? "" : " AND type = ?"
            var arguments: StatementArguments = [sequence, peer]
            if let type { _ = arguments.append(contentsOf: [type]) }
            _ = arguments.append(contentsOf: [limit + 1])
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, min(seq) AS first FROM (
                    SELECT seq FROM records WHERE seq > ? AND (from_peer IS NULL OR from_peer != ?)\(typed) ORDER BY seq LIMIT ?)
                """, arguments: arguments)
            let n: Int = row?["n"] ?? 0
            guard n > 0, let first: Int64 = row?["first"] else { return .none }
            let hlc = try String.fetchOne(db, sql: "SELECT hlc FROM records WHERE seq = ?", arguments: [first]).flatMap(HLCTimestamp.init)
            return PendingChanges(count: min(n, limit), oldestMillis: hlc?.millis, more: n > limit)
        }
    }
}
