import Postgres
import Replication

/// What a `PostgresTransaction` has written and not yet sent: columns of
/// versions, source-row links and audit lines, each sent as one statement
/// over arrays.
final class PendingWrites {
    /// Sent once this many rows wait: memory stays bounded in a long transaction.
    static let limit = 2_000

    // Versions, column by column, in `recordColumns` order.
    private var seqs: [Int64] = [], ids: [String] = [], types: [String] = [], owners: [String] = [], vvs: [String] = []
    private var hlcs: [String] = [], writers: [String] = [], deleted: [Int64] = [], hashes: [String] = []
    // NULL is sent as "" (never a stored value of these columns) and turned back by NULLIF.
    private var conflicts: [String] = [], fromPeers: [String] = [], masked: [String] = [], bodies: [String] = []
    /// Where a record waits in the columns: a second version of it replaces the first.
    private var position: [String: Int] = [:]
    /// Records this transaction inserted (sent or not).
    private(set) var inserted = Set<String>()

    private struct LinkKey: Hashable { let source: String, key: String }
    private var links: [LinkKey: (record: String?, hash: Int64?)] = [:]

    private var auditRows: [(seq: Int64, at: String, kind: String, detail: String, prev: String, hash: String)] = []
    /// The audit chain's last entry, read once per transaction.
    private var auditTail: (seq: Int64, hash: String)?

    var count: Int { ids.count + links.count + auditRows.count }

    func add(_ e: Envelope, sequence: Int64, fromPeer: String?) {
        inserted.insert(e.id)
        let columns = (sequence, e.id, e.type, e.owner, StoredRecord.vvText(e), e.hlc.description, e.writer, Int64(e.deleted ? 1 : 0), e.hash,
                       StoredRecord.conflictsText(e) ?? "", fromPeer ?? "", StoredRecord.maskedText(e) ?? "", StoredRecord.bodyText(e))
        if let i = position[e.id] {
            (seqs[i], ids[i], types[i], owners[i], vvs[i], hlcs[i], writers[i], deleted[i], hashes[i], conflicts[i], fromPeers[i], masked[i], bodies[i]) = columns
            return
        }
        position[e.id] = ids.count
        seqs.append(columns.0); ids.append(columns.1); types.append(columns.2); owners.append(columns.3); vvs.append(columns.4)
        hlcs.append(columns.5); writers.append(columns.6); deleted.append(columns.7); hashes.append(columns.8)
        conflicts.append(columns.9); fromPeers.append(columns.10); masked.append(columns.11); bodies.append(columns.12)
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

    /// Sends everything kept, in a statement per table.
    func send(_ session: PostgresSession) throws {
        if !ids.isEmpty {
            // An upsert: a record stored before takes its new sequence (the change log's order) and columns.
            try session.rows("""
                INSERT INTO records (seq, id, type, owner, vv, hlc, writer, deleted, hash, conflicts, from_peer, masked, body)
                SELECT s, i, t, o, v, h, w, d <> 0, x, NULLIF(c, ''), NULLIF(f, ''), NULLIF(m, ''), b
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                            $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) AS u (s, i, t, o, v, h, w, d, x, c, f, m, b)
                ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, type = excluded.type, owner = excluded.owner, vv = excluded.vv,
                    hlc = excluded.hlc, writer = excluded.writer, deleted = excluded.deleted, hash = excluded.hash,
                    conflicts = excluded.conflicts, from_peer = excluded.from_peer, masked = excluded.masked, body = excluded.body
                """, [.ints(seqs), .texts(ids), .texts(types), .texts(owners), .texts(vvs), .texts(hlcs), .texts(writers), .ints(deleted),
                      .texts(hashes), .texts(conflicts), .texts(fromPeers), .texts(masked), .texts(bodies)])
            removeVersions()
        }
        if !links.isEmpty {
            let gone = links.filter { $0.value.record == nil }.map(\.key), kept = links.filter { $0.value.record != nil }
            if !gone.isEmpty {
                try session.rows("DELETE FROM source_rows AS r USING unnest($1::text[], $2::text[]) AS u (s, k) WHERE r.source = u.s AND r.key = u.k",
                                 [.texts(gone.map(\.source)), .texts(gone.map(\.key))])
            }
            if !kept.isEmpty {
                // A link without a hash (made by triggers) is flagged in a second array: arrays are sent without NULLs.
                try session.rows("""
                    INSERT INTO source_rows (source, key, record_id, row_hash)
                    SELECT s, k, r, CASE WHEN n <> 0 THEN NULL ELSE h END
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS u (s, k, r, h, n)
                    ON CONFLICT (source, key) DO UPDATE SET record_id = excluded.record_id, row_hash = excluded.row_hash
                    """, [.texts(kept.map(\.key.source)), .texts(kept.map(\.key.key)), .texts(kept.map { $0.value.record! }),
                          .ints(kept.map { $0.value.hash ?? 0 }), .ints(kept.map { $0.value.hash == nil ? 1 : 0 })])
            }
            links.removeAll(keepingCapacity: true)
        }
        if !auditRows.isEmpty {
            try session.rows("""
                INSERT INTO audit (seq, at, kind, detail, prev, hash)
                SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                """, [.ints(auditRows.map(\.seq)), .texts(auditRows.map(\.at)), .texts(auditRows.map(\.kind)), .texts(auditRows.map(\.detail)),
                      .texts(auditRows.map(\.prev)), .texts(auditRows.map(\.hash))])
            auditRows.removeAll(keepingCapacity: true)
        }
    }

    private func removeVersions() {
        seqs.removeAll(keepingCapacity: true); ids.removeAll(keepingCapacity: true); types.removeAll(keepingCapacity: true)
        owners.removeAll(keepingCapacity: true); vvs.removeAll(keepingCapacity: true); hlcs.removeAll(keepingCapacity: true)
        writers.removeAll(keepingCapacity: true); deleted.removeAll(keepingCapacity: true); hashes.removeAll(keepingCapacity: true)
        conflicts.removeAll(keepingCapacity: true); fromPeers.removeAll(keepingCapacity: true); masked.removeAll(keepingCapacity: true)
        bodies.removeAll(keepingCapacity: true)
        position.removeAll(keepingCapacity: true)
    }
}
