import Postgres
import Replication

/// What a `PostgresTransaction` has written and not yet sent (versions,
/// source-row links, audit lines, batch ids, cursors), all sent as one
/// statement without waiting for the server (`PostgresSession.send`), and
/// what it has read and written that the lookups' connection cannot see.
final class PendingWrites {
    /// Sent once this many rows wait, so that no statement grows large.
    static let limit = 2_000

    /// Versions of records not stored before the transaction (or stored by it, not yet sent), and of records stored.
    private var inserts = VersionColumns(), updates = VersionColumns()
    /// The records that wait to be sent.
    private var waiting: Set<String> = []
    /// Every version this transaction stored (sent or not), by id: what it
    /// reads of them, since its lookups go through another connection, which
    /// sees only what is committed.
    private(set) var envelopes: [String: Envelope] = [:]
    /// The batches this transaction applied, with their outcomes (as `envelopes`).
    var batches: [String: [RecordOutcome]] = [:]
    /// What the group of batches being applied found committed: its records'
    /// stored versions (nil: none) and its batch ids' outcomes (nil: never
    /// applied), read in two queries for the whole group (`PostgresTransaction.prefetch`).
    /// Nothing else writes while the transaction holds the counter's lock, and
    /// its own writes are in `envelopes`, so these stay true until it commits.
    var committed: [String: Envelope?] = [:]
    var committedBatches: [String: [RecordOutcome]?] = [:]
    /// The peer cursors as this transaction has them: read once, then kept
    /// here as saved, so that asking for one waits for nothing the server still runs.
    var cursors: [PeerCursor]?

    private struct LinkKey: Hashable { let source: String, key: String }
    private var links: [LinkKey: (record: String?, hash: Int64?)] = [:]

    private var auditRows: [(seq: Int64, at: String, kind: String, detail: String, prev: String, hash: String)] = []
    /// The audit chain's last entry, read once per transaction.
    private var auditTail: (seq: Int64, hash: String)?

    /// Batches applied and cursors saved, to send with the versions.
    var batchRows: [(id: String, peer: String, at: String, result: String)] = []
    private struct CursorKey: Hashable { let peer: String, direction: CursorDirection }
    private var cursorWrites: [CursorKey: PeerCursor] = [:]

    var count: Int { inserts.count + updates.count + links.count + auditRows.count }

    /// A cursor to save (the last saved for a peer and direction wins, as the statement can touch a row once).
    func saveCursor(_ c: PeerCursor) {
        let key = CursorKey(peer: c.peer, direction: c.direction)
        cursorWrites[key] = PeerCursor(peer: c.peer, direction: c.direction, epoch: c.epoch, sequence: c.sequence,
                                       grants: c.grants ?? cursorWrites[key]?.grants)
    }

    /// `replacing`: the record is stored already (as the transaction began, or sent since).
    func add(_ e: Envelope, sequence: Int64, fromPeer: String?, replacing: Bool, _ session: PostgresSession) throws {
        envelopes[e.id] = e
        if waiting.contains(e.id) {
            // A statement may touch a row once: the version waiting goes first, and this one replaces it.
            try send(session)
            updates.put(e, sequence: sequence, fromPeer: fromPeer)
        } else if replacing {
            updates.put(e, sequence: sequence, fromPeer: fromPeer)
        } else {
            inserts.put(e, sequence: sequence, fromPeer: fromPeer)
        }
        waiting.insert(e.id)
    }

    func link(source: String, key: String, recordID: String?, rowHash: Int64?) {
        links[LinkKey(source: source, key: key)] = (recordID, rowHash)
    }

    func audit(_ session: PostgresSession, kind: AuditKind, detail: String) throws {
        if auditTail == nil {
            let last = try session.rows("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").first
            auditTail = (last?[0].flatMap { Int64($0) } ?? 0, last?[1] ?? AuditChain.genesis)
        }
        let (previousSeq, previous) = auditTail!
        let seq = previousSeq + 1, at = StoreClock.timestamp()
        let hash = AuditChain.hash(previous: previous, sequence: seq, at: at, kind: kind.rawValue, detail: detail)
        auditRows.append((seq, at, kind.rawValue, detail, previous, hash))
        auditTail = (seq, hash)
    }

    /// Sends everything kept, as one statement, without waiting for the server.
    func send(_ session: PostgresSession) throws {
        var w = WriteStatement()
        if updates.count > 0 { w.add(updates.binds, VersionColumns.update) }
        if inserts.count > 0 { w.add(inserts.binds, VersionColumns.insert) }
        let gone = links.filter { $0.value.record == nil }.map(\.key), kept = links.filter { $0.value.record != nil }
        if !gone.isEmpty {
            w.add([.texts(gone.map(\.source)), .texts(gone.map(\.key))]) {
                "DELETE FROM source_rows AS r USING \(WriteStatement.rows($0, ["s": "text", "k": "text"])) WHERE r.source = u.s AND r.key = u.k"
            }
        }
        if !kept.isEmpty {
            // A link without a hash (made by triggers) is flagged in a second array: arrays are sent without NULLs.
            w.add([.texts(kept.map(\.key.source)), .texts(kept.map(\.key.key)), .texts(kept.map { $0.value.record! }),
                   .ints(kept.map { $0.value.hash ?? 0 }), .ints(kept.map { $0.value.hash == nil ? 1 : 0 })]) {
                """
                INSERT INTO source_rows (source, key, record_id, row_hash)
                SELECT s, k, r, CASE WHEN n <> 0 THEN NULL ELSE h END
                FROM \(WriteStatement.rows($0, ["s": "text", "k": "text", "r": "text", "h": "bigint", "n": "bigint"]))
                ON CONFLICT (source, key) DO UPDATE SET record_id = excluded.record_id, row_hash = excluded.row_hash
                """
            }
        }
        if !auditRows.isEmpty {
            w.add([.ints(auditRows.map(\.seq)), .texts(auditRows.map(\.at)), .texts(auditRows.map(\.kind)), .texts(auditRows.map(\.detail)),
                   .texts(auditRows.map(\.prev)), .texts(auditRows.map(\.hash))]) {
                "INSERT INTO audit (seq, at, kind, detail, prev, hash) SELECT * FROM \(WriteStatement.rows($0, ["s": "bigint", "a": "text", "k": "text", "d": "text", "p": "text", "h": "text"]))"
            }
        }
        if !batchRows.isEmpty {
            w.add([.texts(batchRows.map(\.id)), .texts(batchRows.map(\.peer)), .texts(batchRows.map(\.at)), .texts(batchRows.map(\.result))]) {
                "INSERT INTO applied_batches (batch_id, peer, applied_at, result) SELECT * FROM \(WriteStatement.rows($0, ["b": "text", "p": "text", "a": "text", "r": "text"]))"
            }
        }
        if !cursorWrites.isEmpty {
            let c = Array(cursorWrites.values)
            w.add([.texts(c.map(\.peer)), .texts(c.map(\.direction.rawValue)), .texts(c.map(\.epoch)), .ints(c.map(\.sequence)),
                   .text(StoreClock.timestamp()), .texts(c.map { $0.grants ?? "" })]) {
                """
                INSERT INTO cursors (peer, direction, epoch, seq, updated_at, grants)
                SELECT p, d, e, s, $\($0 + 4), NULLIF(g, '') FROM (SELECT unnest($\($0)::text[]) AS p, unnest($\($0 + 1)::text[]) AS d, unnest($\($0 + 2)::text[]) AS e,
                    unnest($\($0 + 3)::bigint[]) AS s, unnest($\($0 + 5)::text[]) AS g) AS u
                ON CONFLICT (peer, direction) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, updated_at = excluded.updated_at,
                    grants = coalesce(excluded.grants, cursors.grants)
                """
            }
        }
        guard !w.isEmpty else { return }
        try session.send(w.sql, w.binds)
        inserts.removeAll()
        updates.removeAll()
        waiting.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        auditRows.removeAll(keepingCapacity: true)
        batchRows.removeAll(keepingCapacity: true)
        cursorWrites.removeAll(keepingCapacity: true)
    }
}
