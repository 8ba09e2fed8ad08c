import Postgres
import Replication

/// Versions waiting to be sent, column by column, in `recordColumns` order:
/// each column is one array parameter of the statement that stores them.
struct VersionColumns {
    private var seqs: [Int64] = [], ids: [String] = [], types: [String] = [], owners: [String] = [], vvs: [String] = []
    private var hlcs: [String] = [], writers: [String] = [], deleted: [Int64] = [], hashes: [String] = []
    // NULL is sent as "" (never a stored value of these columns) and turned back by NULLIF.
    private var conflicts: [String] = [], fromPeers: [String] = [], masked: [String] = [], bodies: [String] = []

    var count: Int { ids.count }

    /// Adds `e` at the end, or in place of row `at`; returns its row.
    @discardableResult
    mutating func put(_ e: Envelope, sequence: Int64, fromPeer: String?, at i: Int? = nil) -> Int {
        let row = (sequence, e.id, e.type, e.owner, StoredRecord.vvText(e), e.hlc.description, e.writer, Int64(e.deleted ? 1 : 0), e.hash,
                   StoredRecord.conflictsText(e) ?? "", fromPeer ?? "", StoredRecord.maskedText(e) ?? "", StoredRecord.bodyText(e))
        if let i {
            (seqs[i], ids[i], types[i], owners[i], vvs[i], hlcs[i], writers[i], deleted[i], hashes[i], conflicts[i], fromPeers[i], masked[i], bodies[i]) = row
            return i
        }
        seqs.append(row.0); ids.append(row.1); types.append(row.2); owners.append(row.3); vvs.append(row.4)
        hlcs.append(row.5); writers.append(row.6); deleted.append(row.7); hashes.append(row.8)
        conflicts.append(row.9); fromPeers.append(row.10); masked.append(row.11); bodies.append(row.12)
        return ids.count - 1
    }

    /// The columns as the statement's parameters $1 … $13.
    var binds: [PostgresValue] {
        [.ints(seqs), .texts(ids), .texts(types), .texts(owners), .texts(vvs), .texts(hlcs), .texts(writers), .ints(deleted),
         .texts(hashes), .texts(conflicts), .texts(fromPeers), .texts(masked), .texts(bodies)]
    }

    /// The rows as a table `u (s, i, t, o, v, h, w, d, x, c, f, m, b)`, parameters from `first`; NULLs restored by `values`.
    static func rows(_ first: Int) -> String {
        "unnest(\(WriteStatement.arrays(first, ["bigint", "text", "text", "text", "text", "text", "text", "bigint", "text", "text", "text", "text", "text"]))) AS u (s, i, t, o, v, h, w, d, x, c, f, m, b)"
    }
    static let values = "s, i, t, o, v, h, w, d <> 0, x, NULLIF(c, ''), NULLIF(f, ''), NULLIF(m, ''), b"

    /// New records: a plain insert (an upsert would check each row for a conflict first).
    static func insert(_ first: Int) -> String {
        "INSERT INTO records (\(PostgresNodeStore.recordColumns)) SELECT \(values) FROM \(rows(first))"
    }
    /// Records stored before: each row takes its new sequence (the change log's order) and columns.
    static func update(_ first: Int) -> String {
        "UPDATE records AS r SET (\(PostgresNodeStore.recordColumns)) = (\(values)) FROM \(rows(first)) WHERE r.id = u.i"
    }

    mutating func removeAll() {
        seqs.removeAll(keepingCapacity: true); ids.removeAll(keepingCapacity: true); types.removeAll(keepingCapacity: true)
        owners.removeAll(keepingCapacity: true); vvs.removeAll(keepingCapacity: true); hlcs.removeAll(keepingCapacity: true)
        writers.removeAll(keepingCapacity: true); deleted.removeAll(keepingCapacity: true); hashes.removeAll(keepingCapacity: true)
        conflicts.removeAll(keepingCapacity: true); fromPeers.removeAll(keepingCapacity: true); masked.removeAll(keepingCapacity: true)
        bodies.removeAll(keepingCapacity: true)
    }
}
