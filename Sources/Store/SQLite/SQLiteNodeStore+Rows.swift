import GRDB
import GRDBSQLite
import Replication
import Standard
import JSON

/// What a write transaction advances besides rows.
struct WriteState {
    var lastSequence: Int64
    var clock: HybridLogicalClock
    let startSequence: Int64
    let startClock: HLCTimestamp
    /// The row being inserted; its buffer kept from one record to the next.
    var row = RowTexts()

    init(lastSequence: Int64, clock: HybridLogicalClock) {
        self.lastSequence = lastSequence
        self.clock = clock
        startSequence = lastSequence
        startClock = clock.last
    }
}

/// Reading and writing rows; all run inside the caller's transaction.
extension SQLiteNodeStore {
    static func meta(_ db: Database) throws -> [String: String] {
        var m: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") { m[row["key"]] = row["value"] }
        return m
    }

    // Per-record statements are prepared once per connection (cachedStatement):
    // compiling SQL for every record cost more than running it.

    static func fetchRecord(_ db: Database, id: String) throws -> Envelope? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(recordColumns) FROM records WHERE id = ?"), arguments: [id]).map { try envelope($0) }
    }

    /// The stored versions of `ids`, by id (absent ones left out); `bodies` as in `envelope`.
    static func fetchRecords(_ db: Database, ids: [String], bodies: Bool) throws -> [String: Envelope] {
        var found: [String: Envelope] = [:]
        let chunk = 500
        var start = 0
        while start < ids.count {
            let part = Array(ids[start..<min(ids.count, start + chunk)])
            start += chunk
            let statement = part.count == chunk
                ? try db.cachedStatement(sql: "SELECT \(recordColumns) FROM records WHERE id IN (\(Array(repeating: "?", count: chunk).joined(separator: ",")))")
                : try db.makeStatement(sql: "SELECT \(recordColumns) FROM records WHERE id IN (\(Array(repeating: "?", count: part.count).joined(separator: ",")))")
            let rows = try Row.fetchCursor(statement, arguments: StatementArguments(part))
            while let row = try rows.next() {
                let e = try envelope(row, body: bodies)
                found[e.id] = e
            }
        }
        return found
    }

    /// The columns every record query selects, in `RecordColumn` order: rows
    /// are read by position, which is much cheaper than by name.
    static let recordColumns = "seq, id, type, owner, vv, hlc, writer, deleted, hash, conflicts, from_peer, masked, body"

    enum RecordColumn {
        static let seq = 0, id = 1, type = 2, owner = 3, vv = 4, hlc = 5, writer = 6, deleted = 7, hash = 8
        static let conflicts = 9, fromPeer = 10, masked = 11, body = 12
    }

    /// A row of `recordColumns` as an envelope. `body` false leaves the body
    /// unparsed: `.null`, with the stored text in `bodyText`.
    static func envelope(_ row: Row, body parseBody: Bool = true) throws -> Envelope {
        typealias C = RecordColumn
        return try StoredRecord.envelope(id: row[C.id], type: row[C.type], owner: row[C.owner], vv: row[C.vv] ?? "", hlc: row[C.hlc],
                                         writer: row[C.writer], deleted: (row[C.deleted] as Int) != 0, hash: row[C.hash],
                                         conflicts: row[C.conflicts], masked: row[C.masked], body: row[C.body], parseBody: parseBody)
    }

    /// Stores a version as the record's current one, appending it to the change
    /// log (the next sequence) and noting the peer only when it came from one as is.
    /// `replacing` false promises the record was not stored when the
    /// transaction began; if a version stored since holds its id, this throws
    /// `RepeatedInBatch` and changes nothing.
    func store(_ db: Database, _ e: Envelope, fromPeer: String?, _ state: inout WriteState, replacing: Bool = true) throws {
        // Delete then insert rather than update: the row moves to its new
        // sequence, which is the table's key.
        if replacing { try db.cachedStatement(sql: "DELETE FROM records WHERE id = ?").execute(arguments: [e.id]) }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO records (seq, deleted, id, type, owner, vv, hlc, writer, hash, conflicts, from_peer, masked, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        state.row.reset()
        state.row.append(e.id)
        state.row.append(e.type)
        state.row.append(e.owner)
        state.row.append { e.vv.write(into: &$0) }
        state.row.append { e.hlc.write(into: &$0) }
        state.row.append(e.writer)
        state.row.append(e.hash)
        if e.conflicts.isEmpty { state.row.append(nil) } else { state.row.append { JSONWriter.write(e.json["conflicts"]!, into: &$0) } }
        state.row.append(fromPeer)
        if e.masked.isEmpty { state.row.append(nil) } else { state.row.append { JSONWriter.write(.array(e.masked.map { .string($0) }), into: &$0) } }
        state.row.append { out in if e.withBodyText({ out.append(contentsOf: $0) }) == nil { JSONWriter.write(e.body, into: &out) } }
        do {
            try RowInsert(insert.sqliteStatement, db).run(seq: state.lastSequence + 1, deleted: e.deleted, texts: state.row)
        } catch let error as DatabaseError where !replacing && error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RepeatedInBatch(id: e.id)
        }
        state.lastSequence += 1
    }

    /// Reads what a write transaction advances besides rows; `finish` saves it.
    func begin(_ db: Database) throws -> WriteState {
        let seq = try String.fetchOne(try db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'last_seq'"))
        guard let seq, let last = Int64(seq) else { throw StoreError.corrupt("meta has no last_seq") }
        let hlc = try String.fetchOne(try db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'hlc'"))
        let clock = HybridLogicalClock(last: hlc.flatMap(HLCTimestamp.init) ?? HLCTimestamp(millis: 0), maxSkewMillis: maxSkewMillis)
        return WriteState(lastSequence: last, clock: clock)
    }

    func finish(_ db: Database, _ state: WriteState) throws {
        if state.lastSequence != state.startSequence {
            try db.cachedStatement(sql: "UPDATE meta SET value = ? WHERE key = 'last_seq'").execute(arguments: [String(state.lastSequence)])
        }
        if state.clock.last != state.startClock {
            try db.cachedStatement(sql: "UPDATE meta SET value = ? WHERE key = 'hlc'").execute(arguments: [state.clock.last.description])
        }
    }

    static func quarantine(_ db: Database, source: String, text: String, reason: String) throws {
        try db.execute(sql: "INSERT INTO quarantine (source, text, reason, at) VALUES (?, ?, ?, ?)",
                       arguments: [source, StoredText.storable(text), StoredText.storable(reason), StoreClock.timestamp()])
    }

    static func cursors(_ db: Database) throws -> [PeerCursor] {
        try Row.fetchAll(db, sql: "SELECT * FROM cursors ORDER BY peer, direction").compactMap { row in
            CursorDirection(rawValue: row["direction"]).map {
                PeerCursor(peer: row["peer"], direction: $0, epoch: row["epoch"], sequence: row["seq"], grants: row["grants"])
            }
        }
    }

    static func saveCursor(_ db: Database, _ c: PeerCursor) throws {
        try db.execute(sql: """
            INSERT INTO cursors (peer, direction, epoch, seq, updated_at, grants) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(peer, direction) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, updated_at = excluded.updated_at,
                grants = COALESCE(excluded.grants, cursors.grants)
            """, arguments: [c.peer, c.direction.rawValue, c.epoch, c.sequence, StoreClock.timestamp(), c.grants])
    }

    static func conflict(_ row: Row) throws -> ConflictEntry {
        ConflictEntry(id: row["id"], recordID: row["record_id"], type: row["type"], policy: row["policy"],
                      winner: try Envelope(json: try JSONParser.parse(row["winner"] as String)),
                      loser: try Envelope(json: try JSONParser.parse(row["loser"] as String)),
                      detectedAt: row["detected_at"], resolvedAt: row["resolved_at"])
    }

    static func appendAudit(_ db: Database, kind: AuditKind, detail: String) throws {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (last?["seq"] ?? 0) + 1
        let previous: String = last?["hash"] ?? AuditChain.genesis
        let at = StoreClock.timestamp()
        let hash = AuditChain.hash(previous: previous, sequence: seq, at: at, kind: kind.rawValue, detail: detail)
        try db.execute(sql: "INSERT INTO audit (seq, at, kind, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [seq, at, kind.rawValue, detail, previous, hash])
    }
}
