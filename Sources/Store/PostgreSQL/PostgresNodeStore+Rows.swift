import Postgres
import Replication
import JSON

/// Reading and writing rows; all run on the caller's connection, in its transaction.
/// Rows come as texts (`PostgresSession.rows`), columns in the order selected.
extension PostgresNodeStore {
    static func meta(_ s: PostgresSession) throws -> [String: String] {
        var m: [String: String] = [:]
        for row in try s.rows("SELECT key, value FROM meta") { if let k = row[0], let v = row[1] { m[k] = v } }
        return m
    }

    /// The columns every record query selects, in the SQLite store's order.
    static let recordColumns = "seq, id, type, owner, vv, hlc, writer, deleted, hash, conflicts, from_peer, masked, body"

    /// A row of `recordColumns` as an envelope; `body` false leaves the body unparsed.
    static func envelope(_ row: [String?], body parseBody: Bool = true) throws -> Envelope {
        guard row.count == 13, let id = row[1], let type = row[2], let owner = row[3], let vv = row[4], let hlc = row[5],
              let writer = row[6], let deleted = row[7], let hash = row[8], let body = row[12] else {
            throw StoreError.corrupt("record \(row.count > 1 ? row[1] ?? "?" : "?"): a column that must hold a value is empty")
        }
        return try StoredRecord.envelope(id: id, type: type, owner: owner, vv: vv, hlc: hlc, writer: writer, deleted: deleted == "true",
                                         hash: hash, conflicts: row[9], masked: row[11], body: body, parseBody: parseBody)
    }

    static func cursors(_ s: PostgresSession) throws -> [PeerCursor] {
        try s.rows("SELECT peer, direction, epoch, seq, grants FROM cursors ORDER BY peer, direction").compactMap { row in
            guard let peer = row[0], let direction = row[1].flatMap(CursorDirection.init(rawValue:)), let epoch = row[2],
                  let seq = row[3].flatMap({ Int64($0) }) else { return nil }
            return PeerCursor(peer: peer, direction: direction, epoch: epoch, sequence: seq, grants: row[4])
        }
    }

    static func saveCursor(_ s: PostgresSession, _ c: PeerCursor) throws {
        let sql = """
            INSERT INTO cursors (peer, direction, epoch, seq, updated_at, grants) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (peer, direction) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, updated_at = excluded.updated_at,
                grants = coalesce(excluded.grants, cursors.grants)
            """
        let binds: [PostgresValue] = [.text(c.peer), .text(c.direction.rawValue), .text(c.epoch), .int(c.sequence), .text(StoreClock.timestamp()), .maybe(c.grants)]
        try s.rows(sql, binds)
    }

    static let conflictColumns = "id, record_id, type, policy, winner, loser, detected_at, resolved_at"

    static func conflict(_ s: PostgresSession, id: Int64) throws -> ConflictEntry? {
        try s.rows("SELECT \(conflictColumns) FROM conflicts WHERE id = $1", [.int(id)]).first.map(conflict)
    }

    static func conflict(_ row: [String?]) throws -> ConflictEntry {
        ConflictEntry(id: Int64(row[0] ?? "") ?? 0, recordID: row[1] ?? "", type: row[2] ?? "", policy: row[3] ?? "",
                      winner: try Envelope(json: try JSONParser.parse(row[4] ?? "")),
                      loser: try Envelope(json: try JSONParser.parse(row[5] ?? "")),
                      detectedAt: row[6] ?? "", resolvedAt: row[7])
    }

    static let quarantineColumns = "id, source, text, reason, at, mapping, place, attempts"

    static func quarantineEntry(_ row: [String?]) throws -> QuarantineEntry {
        QuarantineEntry(id: Int64(row[0] ?? "") ?? 0, source: row[1] ?? "", text: row[2] ?? "", reason: row[3] ?? "", at: row[4] ?? "",
                        mapping: row[5], place: row[6], attempts: row[7].flatMap { Int($0) } ?? 1)
    }
}
