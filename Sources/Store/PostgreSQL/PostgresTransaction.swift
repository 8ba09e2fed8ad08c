import Postgres
import Replication
import Standard

/// A write transaction of the PostgreSQL store, as `VersionWriter` uses it.
///
/// **The change log's order.** Readers take "every record with `seq` above my
/// cursor". A sequence (`bigserial`) hands numbers out when rows are written,
/// not when their transactions commit: a transaction that took 10 and commits
/// after another took and committed 11 is skipped by a reader that read 11 in
/// between. Here every write transaction first locks the `last_seq` row of
/// `meta` (`FOR UPDATE`) and numbers its versions from that value; the next
/// writer waits on the lock until this one commits, then reads the new value
/// (read committed reads a locked row again once it is free). Numbers are
/// therefore handed out in commit order, and a reader's snapshot holds all of
/// a transaction's versions or none: no reader can pass a number that is
/// still to come. (Gaps may appear, where one transaction stored a record
/// twice; a gap skips nothing.)
///
/// **Round trips.** What a batch writes (versions, links, audit lines, its
/// id and cursor) is kept here and sent as one statement (`WriteStatement`,
/// arrays bound as parameters and `unnest`): one statement a record would
/// cost a round trip to the server each. It is sent without waiting for the
/// answer (`PostgresSession.send`), and records are looked up through a
/// second connection (`reader`), a group of batches at a time (`prefetch`),
/// so that this process merges the next batch while the server stores the
/// last one. That connection sees what is committed; what this transaction
/// stored is kept here until it commits (`PendingWrites.envelopes`,
/// `batches`, `cursors`), which is why transactions are kept short
/// (`PostgresNodeStore.transactionRecords`). The lock on the counter keeps
/// every other writer out meanwhile, so the two together are the store as
/// this transaction sees it.
struct PostgresTransaction: VersionTransaction {
    let session: PostgresSession
    /// Looks records up without waiting behind the writes sent on `session`.
    let reader: PostgresSession
    let store: PostgresNodeStore
    var lastSequence: Int64
    var clock: HybridLogicalClock
    let startSequence: Int64
    let startClock: HLCTimestamp
    /// A reference, so that reads (not `mutating`) can send it and keep what they read.
    let pending = PendingWrites()

    var nodeID: String { store.nodeID }
    var epoch: String { store.epoch }
    /// Inserts are sent later, where a record stored before could no longer be
    /// told apart: every batch's records are looked up first.
    var catchesRepeatedInserts: Bool { false }

    /// Begins the transaction: locks the change log's counter (see above) and reads it and the clock.
    init(_ session: PostgresSession, reader: PostgresSession, store: PostgresNodeStore) throws {
        self.session = session
        self.reader = reader
        self.store = store
        var meta: [String: String] = [:]
        for row in try session.rows("SELECT key, value FROM meta WHERE key IN ('last_seq', 'hlc') ORDER BY key FOR UPDATE") {
            if let k = row[0], let v = row[1] { meta[k] = v }
        }
        guard let seq = meta["last_seq"].flatMap({ Int64($0) }) else { throw StoreError.corrupt("meta has no last_seq") }
        lastSequence = seq
        startSequence = seq
        let hlc = meta["hlc"].flatMap(HLCTimestamp.init) ?? HLCTimestamp(millis: 0)
        clock = HybridLogicalClock(last: hlc, maxSkewMillis: store.maxSkewMillis)
        startClock = hlc
    }

    /// Sends what is kept and saves the counter and the clock; the caller commits.
    func finish() throws {
        try pending.send(session)
        if lastSequence != startSequence {
            try session.send("UPDATE meta SET value = $1 WHERE key = 'last_seq'", [.text(String(lastSequence))])
        }
        if clock.last != startClock {
            try session.send("UPDATE meta SET value = $1 WHERE key = 'hlc'", [.text(clock.last.description)])
        }
    }

    /// Sends what is kept now, when a group of batches is applied: kept until
    /// the next group's first merge, it left the server idle while this
    /// thread waited for that group's checks and lookups.
    func flush() throws {
        try pending.send(session)
    }

    /// How many versions this transaction stored.
    var stored: Int { pending.envelopes.count }

    /// Reads what applying `batches` will ask for, in two queries for all of
    /// them: one round trip a batch to the other connection was the longest
    /// wait of a pull into this store.
    func prefetch(_ batches: [IncomingBatch]) throws {
        pending.committed.removeAll(keepingCapacity: true)
        pending.committedBatches.removeAll(keepingCapacity: true)
        let ids = batches.flatMap { $0.versions.map(\.id) }
        for (id, e) in try committedVersions(ids) { pending.committed[id] = e }
        for id in ids where pending.committed[id] == nil { pending.committed[id] = .some(nil) }
        let batchIDs = batches.compactMap(\.batchID)
        guard !batchIDs.isEmpty else { return }
        for id in batchIDs { pending.committedBatches[id] = .some(nil) }
        for row in try reader.rows("SELECT batch_id, result FROM applied_batches WHERE batch_id = ANY($1)", [.texts(batchIDs)]) {
            if let id = row[0] { pending.committedBatches[id] = Self.outcomes(row[1]) }
        }
    }

    /// The committed versions of `ids`, through `reader`.
    func committedVersions(_ ids: [String]) throws -> [String: Envelope] {
        var found: [String: Envelope] = [:]
        for row in try reader.rows("SELECT \(PostgresNodeStore.recordColumns) FROM records WHERE id = ANY($1)", [.texts(ids)]) {
            let e = try PostgresNodeStore.envelope(row, body: false)
            found[e.id] = e
        }
        return found
    }

    static func outcomes(_ text: String?) -> [RecordOutcome] {
        (text ?? "").split(separator: ",").compactMap { RecordOutcome(rawValue: String($0)) }
    }

    func versions(ids: [String]) throws -> [String: Envelope] {
        var found: [String: Envelope] = [:]
        if ids.allSatisfy({ pending.committed[$0] != nil }) {
            for id in ids { if case let e?? = pending.committed[id] { found[id] = e } }
        } else {
            found = try committedVersions(ids)
        }
        for id in ids { if let e = pending.envelopes[id] { found[id] = e } }
        // The batch before this one goes to the server now, stored while this one is merged.
        try pending.send(session)
        return found
    }

    func version(id: String) throws -> Envelope? {
        if let e = pending.envelopes[id] { return e }
        return try reader.rows("SELECT \(PostgresNodeStore.recordColumns) FROM records WHERE id = $1", [.text(id)]).first
            .map { try PostgresNodeStore.envelope($0) }
    }

    mutating func put(_ e: Envelope, fromPeer: String?, replacing: Bool) throws {
        if !replacing && pending.envelopes[e.id] != nil {
            // Already stored by this transaction: the caller reads it and merges.
            try pending.send(session)
            throw RepeatedInBatch(id: e.id)
        }
        try pending.add(e, sequence: lastSequence + 1, fromPeer: fromPeer, replacing: replacing, session)
        lastSequence += 1
        if pending.count >= PendingWrites.limit { try pending.send(session) }
    }

    mutating func addConflict(record: Envelope, policy: ConflictPolicy, winner: Envelope, loser: Envelope, settled: String?) throws -> Int64 {
        let now = StoreClock.timestamp()
        let id = try session.integer("""
            INSERT INTO conflicts (record_id, type, policy, winner, loser, detected_at, resolved_at, resolution)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
            """, [.text(record.id), .text(record.type), .text(policy.rawValue), .text(winner.line), .text(loser.line), .text(now),
                  .maybe(settled == nil ? nil : now), .maybe(settled)])
        guard let id else { throw StoreError.corrupt("a conflict row was stored without an id") }
        return id
    }

    func openConflicts(recordID: String) throws -> Int {
        Int(try session.integer("SELECT count(*) FROM conflicts WHERE record_id = $1 AND resolved_at IS NULL", [.text(recordID)]) ?? 0)
    }

    mutating func closeConflicts(recordID: String, except: Int64?, resolution: String) throws {
        try session.send("UPDATE conflicts SET resolved_at = $1, resolution = $2 WHERE record_id = $3 AND resolved_at IS NULL AND id <> $4",
                         [.text(StoreClock.timestamp()), .text(resolution), .text(recordID), .int(except ?? -1)])
    }

    func conflict(id: Int64) throws -> ConflictEntry? {
        try PostgresNodeStore.conflict(session, id: id)
    }

    mutating func quarantine(source: String, text: String, reason: String) throws {
        try session.send("INSERT INTO quarantine (source, text, reason, at) VALUES ($1, $2, $3, $4)",
                         [.text(source), .text(StoredText.storable(text)), .text(StoredText.storable(reason)), .text(StoreClock.timestamp())])
    }

    mutating func audit(_ kind: AuditKind, _ detail: String) throws {
        try pending.audit(session, kind: kind, detail: detail)
    }

    func cursor(peer: String, direction: CursorDirection) throws -> PeerCursor? {
        if pending.cursors == nil { pending.cursors = try PostgresNodeStore.cursors(session) }
        return pending.cursors!.first { $0.peer == peer && $0.direction == direction }
    }

    mutating func saveCursor(_ cursor: PeerCursor) throws {
        if pending.cursors == nil { pending.cursors = try PostgresNodeStore.cursors(session) }
        pending.saveCursor(cursor)
        let old = pending.cursors!.first { $0.peer == cursor.peer && $0.direction == cursor.direction }
        // Grants left out keep the recorded ones, as the upsert does.
        let saved = PeerCursor(peer: cursor.peer, direction: cursor.direction, epoch: cursor.epoch, sequence: cursor.sequence,
                               grants: cursor.grants ?? old?.grants)
        pending.cursors!.removeAll { $0.peer == cursor.peer && $0.direction == cursor.direction }
        pending.cursors!.append(saved)
    }

    func appliedBatch(id: String) throws -> [RecordOutcome]? {
        if let outcomes = pending.batches[id] { return outcomes }
        if let known = pending.committedBatches[id] { return known }
        return try reader.rows("SELECT result FROM applied_batches WHERE batch_id = $1", [.text(id)]).first.map { Self.outcomes($0[0]) }
    }

    mutating func rememberBatch(id: String, peer: String, outcomes: [RecordOutcome]) throws {
        pending.batches[id] = outcomes
        pending.batchRows.append((id, peer, StoreClock.timestamp(), outcomes.map(\.rawValue).joined(separator: ",")))
    }

    func sourceLinks(source: String, keys: [String]) throws -> [String: String] {
        try pending.send(session)
        var links: [String: String] = [:]
        for row in try session.rows("SELECT key, record_id FROM source_rows WHERE source = $1 AND key = ANY($2)", [.text(source), .texts(keys)]) {
            if let key = row[0], let record = row[1] { links[key] = record }
        }
        return links
    }

    mutating func link(source: String, key: String, recordID: String?, rowHash: Int64?) throws {
        pending.link(source: source, key: key, recordID: recordID, rowHash: rowHash)
        if pending.count >= PendingWrites.limit { try pending.send(session) }
    }

    func isLinked(recordID: String) throws -> Bool {
        try pending.send(session)
        return try session.integer("SELECT count(*) FROM (SELECT 1 FROM source_rows WHERE record_id = $1 LIMIT 1) AS s", [.text(recordID)]) ?? 0 > 0
    }

    func hasLinks() throws -> Bool {
        try pending.send(session)
        return try session.integer("SELECT count(*) FROM (SELECT 1 FROM source_rows LIMIT 1) AS s") ?? 0 > 0
    }

    mutating func indexLinksByRecord(_ indexed: Bool) throws {
        // A lookup by name in the catalog's cache: this runs once a capture transaction.
        let there = try session.integer("SELECT count(*) FROM pg_class WHERE oid = to_regclass('source_rows_record')") ?? 0 > 0
        guard there != indexed else { return }
        try pending.send(session)
        try session.send(indexed ? PostgresNodeStore.linksByRecordIndex : "DROP INDEX source_rows_record")
    }

    mutating func saveSourcePosition(source: String, position: String) throws {
        try session.send("""
            INSERT INTO sources (source, position, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT (source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """, [.text(source), .text(position), .text(StoreClock.timestamp())])
    }
}
