import Foundation
import Postgres
import Replication

extension PostgresNodeStore {
    public func noteSync(peer: String, error: String?) throws {
        let now = StoreClock.timestamp()
        try write { s in
            try s.rows("INSERT INTO peer_contacts (peer) VALUES ($1) ON CONFLICT DO NOTHING", [.text(peer)])
            if let error {
                try s.rows("UPDATE peer_contacts SET last_error = $1, last_error_at = $2, failing_since = coalesce(failing_since, $2) WHERE peer = $3",
                           [.text(error), .text(now), .text(peer)])
            } else {
                try s.rows("UPDATE peer_contacts SET last_sync = $1, last_error = NULL, last_error_at = NULL, failing_since = NULL WHERE peer = $2",
                           [.text(now), .text(peer)])
            }
        }
    }

    public func noteCall(peer: String, pulledTo: Int64?) throws {
        try write { s in
            try s.rows("""
                INSERT INTO peer_contacts (peer, last_called, pulled_to) VALUES ($1, $2, $3)
                ON CONFLICT (peer) DO UPDATE SET last_called = excluded.last_called, pulled_to = coalesce(excluded.pulled_to, peer_contacts.pulled_to)
                """, [.text(peer), .text(StoreClock.timestamp()), .maybe(pulledTo)])
        }
    }

    public func peerContacts() throws -> [PeerContact] {
        func date(_ text: String?) -> Date? { text.flatMap { try? StoreClock.style.parse($0) } }
        return try read { s in
            try s.rows("SELECT peer, last_sync, last_error, last_error_at, failing_since, last_called, pulled_to FROM peer_contacts ORDER BY peer").map { row in
                var c = PeerContact(peer: row[0] ?? "")
                c.lastSync = date(row[1])
                c.lastError = row[2]
                c.lastErrorAt = date(row[3])
                c.failingSince = date(row[4])
                c.lastCalled = date(row[5])
                c.pulledTo = row[6].flatMap { Int64($0) }
                return c
            }
        }
    }

    public func pendingChanges(for peer: String, after sequence: Int64, type: String?, limit: Int) throws -> PendingChanges {
        try read { s in
            // By the change log's own order, stopping at `limit`: a peer far behind costs a bounded read.
            let row = try s.rows("""
                SELECT count(*), min(seq) FROM (
                    SELECT seq FROM records WHERE seq > $1 AND (from_peer IS NULL OR from_peer <> $2) AND ($3::text IS NULL OR type = $3)
                    ORDER BY seq LIMIT $4) AS p
                """, [.int(sequence), .text(peer), .maybe(type), .int(Int64(limit) + 1)]).first
            let n = row?[0].flatMap { Int($0) } ?? 0
            guard n > 0, let first = row?[1].flatMap({ Int64($0) }) else { return .none }
            let hlc = try s.rows("SELECT hlc FROM records WHERE seq = $1", [.int(first)]).first?[0].flatMap { HLCTimestamp($0) }
            return PendingChanges(count: min(n, limit), oldestMillis: hlc?.millis, more: n > limit)
        }
    }
}
