import Postgres
import Replication
import JSON

/// Versions waiting to be sent, column by column, in `recordColumns` order:
/// each column is one array parameter of the statement that stores them. The
/// text columns are kept in the form they are sent in (`PostgresTextArray`),
/// a body as the bytes it came in; so a row, once put, stays (a record that
/// waits here and comes again is sent first, see `PendingWrites.add`).
struct VersionColumns {
    private var seqs: [Int64] = [], deleted: [Int64] = []
    private var ids = PostgresTextArray(), types = PostgresTextArray(), owners = PostgresTextArray(), vvs = PostgresTextArray()
    private var hlcs = PostgresTextArray(), writers = PostgresTextArray(), hashes = PostgresTextArray()
    // NULL is sent as "" (never a stored value of these columns) and turned back by NULLIF.
    private var conflicts = PostgresTextArray(), fromPeers = PostgresTextArray(), masked = PostgresTextArray(), bodies = PostgresTextArray()
    /// The version vector written out, reused from row to row.
    private var scratch: [UInt8] = []

    var count: Int { seqs.count }

    mutating func put(_ e: Envelope, sequence: Int64, fromPeer: String?) {
        seqs.append(sequence)
        ids.append(e.id)
        types.append(e.type)
        owners.append(e.owner)
        scratch.removeAll(keepingCapacity: true)
        e.vv.write(into: &scratch)
        scratch.withUnsafeBufferPointer { vvs.append(utf8: $0) }
        hlcs.append(e.hlc.description)
        writers.append(e.writer)
        deleted.append(e.deleted ? 1 : 0)
        hashes.append(e.hash)
        conflicts.append(StoredRecord.conflictsText(e) ?? "")
        fromPeers.append(fromPeer ?? "")
        masked.append(StoredRecord.maskedText(e) ?? "")
        if e.withBodyText({ bodies.append(utf8: $0) }) == nil { bodies.append(JSONWriter.string(e.body)) }
    }

    /// The columns as the statement's parameters $1 … $13.
    var binds: [PostgresValue] {
        [.ints(seqs), .textArray(ids), .textArray(types), .textArray(owners), .textArray(vvs), .textArray(hlcs), .textArray(writers),
         .ints(deleted), .textArray(hashes), .textArray(conflicts), .textArray(fromPeers), .textArray(masked), .textArray(bodies)]
    }

    /// The rows as a table `u (s, i, t, o, v, h, w, d, x, c, f, m, b)`, parameters from `first`; NULLs restored by `values`.
    static func rows(_ first: Int) -> String {
        WriteStatement.rows(first, ["s": "bigint", "i": "text", "t": "text", "o": "text", "v": "text", "h": "text", "w": "text", "d": "bigint",
                                    "x": "text", "c": "text", "f": "text", "m": "text", "b": "text"])
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
        seqs.removeAll(keepingCapacity: true)
        deleted.removeAll(keepingCapacity: true)
        for column in [\VersionColumns.ids, \.types, \.owners, \.vvs, \.hlcs, \.writers, \.hashes, \.conflicts, \.fromPeers, \.masked, \.bodies] {
            self[keyPath: column].removeAll()
        }
    }
}
