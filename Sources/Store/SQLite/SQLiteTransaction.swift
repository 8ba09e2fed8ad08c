import GRDB
import GRDBSQLite
import Replication
import Standard

/// A write transaction of the SQLite store, as `VersionWriter` uses it: rows
/// in, rows out, and the sequence and clock the transaction advances.
struct SQLiteTransaction: VersionTransaction {
    let db: Database
    let store: SQLiteNodeStore
    var state: WriteState

    var nodeID: String { store.nodeID }
    var epoch: String { store.epoch }
    var lastSequence: Int64 { state.lastSequence }
    var clock: HybridLogicalClock {
        get { state.clock }
        set { state.clock = newValue }
    }

    /// Merging looks at vectors and hashes, and storing takes bodies as text: bodies stay unparsed.
    func versions(ids: [String]) throws -> [String: Envelope] {
        try SQLiteNodeStore.fetchRecords(db, ids: ids, bodies: false)
    }

    func version(id: String) throws -> Envelope? {
        try SQLiteNodeStore.fetchRecord(db, id: id)
    }

    mutating func put(_ e: Envelope, fromPeer: String?, replacing: Bool) throws {
        try store.store(db, e, fromPeer: fromPeer, &state, replacing: replacing)
    }

    mutating func addConflict(record: Envelope, policy: ConflictPolicy, winner: Envelope, loser: Envelope, settled: String?) throws -> Int64 {
        let now = StoreClock.timestamp()
        try db.execute(sql: """
            INSERT INTO conflicts (record_id, type, policy, winner, loser, detected_at, resolved_at, resolution)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [record.id, record.type, policy.rawValue, winner.line, loser.line, now, settled == nil ? nil : now, settled])
        return db.lastInsertedRowID
    }

    func openConflicts(recordID: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conflicts WHERE record_id = ? AND resolved_at IS NULL", arguments: [recordID]) ?? 0
    }

    mutating func closeConflicts(recordID: String, except: Int64?, resolution: String) throws {
        try db.execute(sql: "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE record_id = ? AND resolved_at IS NULL AND id != ?",
                       arguments: [StoreClock.timestamp(), resolution, recordID, except ?? -1])
    }

    func conflict(id: Int64) throws -> ConflictEntry? {
        try Row.fetchOne(db, sql: "SELECT * FROM conflicts WHERE id = ?", arguments: [id]).map(SQLiteNodeStore.conflict)
    }

    mutating func quarantine(source: String, text: String, reason: String) throws {
        try SQLiteNodeStore.quarantine(db, source: source, text: text, reason: reason)
    }

    mutating func audit(_ kind: AuditKind, _ detail: String) throws {
        try SQLiteNodeStore.appendAudit(db, kind: kind, detail: detail)
    }

    func cursor(peer: String, direction: CursorDirection) throws -> PeerCursor? {
        try SQLiteNodeStore.cursors(db).first { $0.peer == peer && $0.direction == direction }
    }

    mutating func saveCursor(_ cursor: PeerCursor) throws {
        try SQLiteNodeStore.saveCursor(db, cursor)
    }

    func appliedBatch(id: String) throws -> [RecordOutcome]? {
        try String.fetchOne(db, sql: "SELECT result FROM applied_batches WHERE batch_id = ?", arguments: [id])
            .map { $0.split(separator: ",").compactMap { RecordOutcome(rawValue: String($0)) } }
    }

    mutating func rememberBatch(id: String, peer: String, outcomes: [RecordOutcome]) throws {
        try db.execute(sql: "INSERT INTO applied_batches (batch_id, peer, applied_at, result) VALUES (?, ?, ?, ?)",
                       arguments: [id, peer, StoreClock.timestamp(), outcomes.map(\.rawValue).joined(separator: ",")])
    }
}

extension SQLiteTransaction {
    func sourceLinks(source: String, keys: [String]) throws -> [String: String] {
        // In pieces of 500 keys (one query each, not one a key), under SQLite's parameter limit.
        var links: [String: String] = [:]
        let unique = Array(Set(keys))
        for start in stride(from: 0, to: unique.count, by: 500) {
            let piece = unique[start..<min(unique.count, start + 500)]
            let marks = Array(repeating: "?", count: piece.count).joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: "SELECT key, record_id FROM source_rows WHERE source = ? AND key IN (\(marks))",
                                        arguments: StatementArguments([source] + Array(piece)))
            for row in rows { links[row[0]] = row[1] as String }
        }
        return links
    }

    mutating func link(source: String, key: String, recordID: String?, rowHash: Int64?) throws {
        // Once a row: statements parsed once per connection, and the link
        // bound through the C API, its texts in place (as `RowInsert` does).
        if let recordID {
            let s = try db.cachedStatement(sql: "INSERT OR REPLACE INTO source_rows (source, key, record_id, row_hash) VALUES (?, ?, ?, ?)").sqliteStatement
            var source = source, key = key, recordID = recordID
            let code = source.withUTF8 { a in
                key.withUTF8 { b in
                    recordID.withUTF8 { c -> Int32 in
                        sqlite3_reset(s)
                        sqlite3_bind_text(s, 1, RowInsert.pointer(a), Int32(a.count), nil)
                        sqlite3_bind_text(s, 2, RowInsert.pointer(b), Int32(b.count), nil)
                        sqlite3_bind_text(s, 3, RowInsert.pointer(c), Int32(c.count), nil)
                        if let rowHash { sqlite3_bind_int64(s, 4, rowHash) } else { sqlite3_bind_null(s, 4) }
                        let stepped = sqlite3_step(s)
                        sqlite3_clear_bindings(s)
                        return stepped
                    }
                }
            }
            sqlite3_reset(s)
            guard code == SQLITE_DONE else { throw SQLiteNodeStore.error(db, s, sqlite3_extended_errcode(db.sqliteConnection)) }
        } else {
            try db.cachedStatement(sql: "DELETE FROM source_rows WHERE source = ? AND key = ?").execute(arguments: [source, key])
        }
    }

    func isLinked(recordID: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM source_rows WHERE record_id = ?)", arguments: [recordID]) ?? false
    }

    func hasLinks() throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM source_rows)") ?? false
    }

    mutating func indexLinksByRecord(_ indexed: Bool) throws {
        let there = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'source_rows_record')") ?? false
        guard there != indexed else { return }
        try db.execute(sql: indexed ? SQLiteNodeStore.linksByRecordIndex : "DROP INDEX source_rows_record")
    }

    mutating func saveSourcePosition(source: String, position: String) throws {
        try db.execute(sql: """
            INSERT INTO sources (source, position, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """, arguments: [source, position, StoreClock.timestamp()])
    }
}

extension SQLiteNodeStore {
    /// One write transaction through a `VersionWriter`, its sequence counter
    /// and clock loaded once and saved once, at the end.
    func versions<R>(_ body: (inout VersionWriter<SQLiteTransaction>) throws -> R) throws -> R {
        try pool.write { db in
            var writer = VersionWriter(SQLiteTransaction(db: db, store: self, state: try begin(db)), catalog: catalog)
            let result = try body(&writer)
            try finish(db, writer.transaction.state)
            return result
        }
    }
}
