import Foundation
import Postgres
import Replication
import Standard
import JSON

/// The node store on a PostgreSQL server, for a node that outgrows one
/// machine: the same tables and behaviour as `SQLiteNodeStore` (the merge
/// rules are `VersionWriter`'s, shared), in the schema `hutong_store` of a
/// database the agency runs, backs up and replicates. Writes go through one
/// connection at a time (they are serialised by the change log's counter in
/// any case, see `PostgresTransaction`); reads each take a connection of a
/// small pool and see one snapshot, as a SQLite read transaction does.
public final class PostgresNodeStore: NodeStore, @unchecked Sendable {
    public let target: PostgresTarget
    public let nodeID: String
    public let epoch: String
    let catalog: StandardCatalog
    let maxSkewMillis: UInt64
    let writer: PostgresSessionPool
    let readers: PostgresSessionPool

    private init(target: PostgresTarget, catalog: StandardCatalog, maxSkewMillis: UInt64) throws {
        self.target = target
        self.catalog = catalog
        self.maxSkewMillis = maxSkewMillis
        // Generic plans: a custom plan takes the parameters' values into the
        // plan, and the planner copies them, megabytes of bodies a statement
        // that stores versions (a fifth of the server's time, measured). The
        // store's statements look rows up by key, where a generic plan is the same plan.
        let setup = ["SET search_path TO \(Self.schema)", "SET plan_cache_mode = force_generic_plan"]
        writer = PostgresSessionPool(target, limit: 1, setup: setup)
        readers = PostgresSessionPool(target, limit: 4, setup: setup)
        let meta = try readers.with { s in try Self.meta(s) }
        guard let node = meta["node_id"], let epoch = meta["epoch"] else { throw StoreError.notInitialised(target.description) }
        nodeID = node
        self.epoch = epoch
    }

    /// Creates a new store for a new node in `target`'s database. Refuses one
    /// that holds a store already: a node id is never reused.
    public static func create(target: PostgresTarget, nodeID: String, catalog: StandardCatalog, maxSkewMillis: UInt64 = 60_000) throws -> PostgresNodeStore {
        let s = try PostgresSession(target)
        try s.execute("SET search_path TO \(schema)")
        try migrate(s, target: target)
        try s.transaction {
            try s.execute("LOCK TABLE meta")
            guard try s.integer("SELECT count(*) FROM meta WHERE key = 'node_id'") == 0 else { throw StoreError.alreadyInitialised(target.description) }
            for (k, v) in [("node_id", nodeID), ("epoch", UUID().uuidString.lowercased()), ("last_seq", "0"),
                           ("hlc", HLCTimestamp(millis: 0).description), ("created_at", StoreClock.timestamp())] {
                try s.rows("INSERT INTO meta (key, value) VALUES ($1, $2)", [.text(k), .text(v)])
            }
        }
        let store = try PostgresNodeStore(target: target, catalog: catalog, maxSkewMillis: maxSkewMillis)
        try store.audit(kind: .storeCreated, detail: "node \(nodeID)")
        return store
    }

    /// Opens the store in `target`'s database, bringing its schema up to date.
    public static func open(target: PostgresTarget, catalog: StandardCatalog, maxSkewMillis: UInt64 = 60_000) throws -> PostgresNodeStore {
        let s = try PostgresSession(target)
        guard try s.integer("SELECT count(*) FROM pg_namespace WHERE nspname = $1", [.text(schema)]) == 1 else {
            throw StoreError.notInitialised(target.description)
        }
        try s.execute("SET search_path TO \(schema)")
        try migrate(s, target: target)
        return try PostgresNodeStore(target: target, catalog: catalog, maxSkewMillis: maxSkewMillis)
    }

    // MARK: Transactions

    /// A read on one snapshot of the store.
    func read<R>(_ body: (PostgresSession) throws -> R) throws -> R {
        try readers.with { s in try s.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { try body(s) } }
    }

    /// A write transaction that does not touch the change log.
    @discardableResult
    func write<R>(_ body: (PostgresSession) throws -> R) throws -> R {
        try writer.with { s in try s.transaction { try body(s) } }
    }

    /// One write transaction through a `VersionWriter`: the change log's
    /// counter locked, read and saved once (see `PostgresTransaction`).
    func versions<R>(_ body: (inout VersionWriter<PostgresTransaction>) throws -> R) throws -> R {
        // The writer first: a writer waiting its turn holds no reader that serving a peer could use.
        try write { s in
            try readers.with { reader in
                var w = VersionWriter(try PostgresTransaction(s, reader: reader, store: self), catalog: catalog)
                let result = try body(&w)
                try w.transaction.finish()
                return result
            }
        }
    }

    /// Versions a transaction of `apply(from:)` stores before it commits and
    /// the next begins: what it stored is kept in memory until it commits
    /// (`PostgresTransaction`), and this bounds it (about 3 KB a version).
    /// As many as a pull puts in one transaction (`PeerSync.recordsPerTransaction`):
    /// every commit waits for the server to store what was sent, and at 20,000
    /// those waits left about a tenth of the machine idle during a pull.
    var transactionRecords = 50_000

    // MARK: Info

    public func info() throws -> StoreInfo {
        try read { s in
            var byType: [String: Int] = [:]
            for row in try s.rows("SELECT type, count(*) FROM records WHERE NOT deleted GROUP BY type") {
                if let t = row[0], let n = row[1].flatMap({ Int($0) }) { byType[t] = n }
            }
            return StoreInfo(
                nodeID: nodeID, epoch: epoch,
                lastSequence: Int64(try Self.meta(s)["last_seq"] ?? "0") ?? 0,
                recordsByType: byType,
                tombstones: Int(try s.integer("SELECT count(*) FROM records WHERE deleted") ?? 0),
                openConflicts: Int(try s.integer("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL") ?? 0),
                quarantined: Int(try s.integer("SELECT count(*) FROM quarantine") ?? 0),
                cursors: try Self.cursors(s))
        }
    }

    public func lastSequence() throws -> Int64 {
        try readers.with { s in try Self.lastSequence(s) }
    }

    static func lastSequence(_ s: PostgresSession) throws -> Int64 {
        try s.rows("SELECT value FROM meta WHERE key = 'last_seq'").first?[0].flatMap { Int64($0) } ?? 0
    }

    // MARK: Local writes

    public func write(type: String, body: JSONValue) throws -> Envelope? {
        try versions { try $0.write(type: type, body: body) }
    }

    public func write(_ records: [(type: String, body: JSONValue)]) throws -> [Envelope?] {
        try versions { w in try w.write(records.map { try w.prepare(type: $0.type, body: $0.body) }) }
    }

    public func write(_ records: [LocalRecord]) throws -> [Envelope?] {
        try versions { try $0.write(records) }
    }

    public func delete(id: String, reason: String?) throws -> Envelope? {
        try versions { try $0.delete(id: id, reason: reason) }
    }

    public func quarantine(_ rows: [QuarantinedRow]) throws {
        guard !rows.isEmpty else { return }
        try write { s in
            let now = StoreClock.timestamp()
            for row in rows {
                let text = StoredText.storable(row.text), reason = StoredText.storable(row.reason)
                let place = row.place.map(StoredText.storable), source = StoredText.storable(row.source)
                // The same row from the same place, read again (a file taken again
                // after a stop), is kept once: its reason is brought up to date.
                if let place, let mapping = row.mapping,
                   let id = try s.integer("SELECT id FROM quarantine WHERE place = $1 AND mapping = $2 AND text = $3", [.text(place), .text(mapping), .text(text)]) {
                    try s.rows("UPDATE quarantine SET reason = $1, at = $2 WHERE id = $3", [.text(reason), .text(now), .int(id)])
                } else {
                    try s.rows("INSERT INTO quarantine (source, text, reason, at, mapping, place) VALUES ($1, $2, $3, $4, $5, $6)",
                               [.text(source), .text(text), .text(reason), .text(now), .maybe(row.mapping), .maybe(place)])
                }
            }
        }
    }

    public func quarantinedPlaces(mapping: String) throws -> Set<String> {
        try read { s in Set(try s.rows("SELECT place FROM quarantine WHERE mapping = $1 AND place IS NOT NULL", [.text(mapping)]).compactMap { $0[0] }) }
    }

    public func clearQuarantine(mapping: String, places: [String]) throws {
        guard !places.isEmpty else { return }
        try write { s in try s.rows("DELETE FROM quarantine WHERE mapping = $1 AND place = ANY($2)", [.text(mapping), .texts(places)]) }
    }

    // MARK: Remote versions

    public func apply(_ batches: [IncomingBatch]) throws -> [BatchResult] {
        try versions { w in
            try w.transaction.prefetch(batches)
            return try batches.map { try w.apply($0) }
        }
    }

    /// Groups of batches in transactions of about `transactionRecords`
    /// versions, each group whole in one (a batch and its cursor are never apart).
    public func apply(from next: () throws -> [IncomingBatch]) throws -> [BatchResult] {
        var results: [BatchResult] = []
        var more = true
        while more {
            try versions { w in
                while w.transaction.stored < transactionRecords {
                    let batches = try next()
                    guard !batches.isEmpty else { return more = false }
                    try w.transaction.prefetch(batches)
                    for b in batches { results.append(try w.apply(b)) }
                    try w.transaction.flush()
                }
            }
        }
        return results
    }

    public func changes(since: Int64, excludingPeer: String?, limit: Int, bodies: Bool) throws -> ChangeSet {
        try read { s in
            let rows = try s.rows("SELECT \(Self.recordColumns) FROM records WHERE seq > $1 AND (from_peer IS NULL OR from_peer <> $2) ORDER BY seq LIMIT $3",
                                  [.int(since), .text(excludingPeer ?? ""), .int(Int64(limit))])
            let versions = try rows.map { try Self.envelope($0, body: bodies) }
            // A full page looked up to its last row, a short one to the end of the log (this snapshot's).
            let looked = rows.count == limit ? rows.last?[0].flatMap { Int64($0) } ?? since : max(since, try Self.lastSequence(s))
            return ChangeSet(versions: versions, lastSequence: looked, epoch: epoch)
        }
    }

    // MARK: Reading

    public func record(id: String) throws -> Envelope? {
        try read { s in try s.rows("SELECT \(Self.recordColumns) FROM records WHERE id = $1", [.text(id)]).first.map { try Self.envelope($0) } }
    }

    public func records(type: String?, after: String?, limit: Int) throws -> [Envelope] {
        try read { s in
            let rows = if let type {
                try s.rows("SELECT \(Self.recordColumns) FROM records WHERE type = $1 AND id > $2 ORDER BY id LIMIT $3",
                           [.text(type), .text(after ?? ""), .int(Int64(limit))])
            } else {
                try s.rows("SELECT \(Self.recordColumns) FROM records WHERE id > $1 ORDER BY id LIMIT $2", [.text(after ?? ""), .int(Int64(limit))])
            }
            return try rows.map { try Self.envelope($0) }
        }
    }

    public func scanRecords(_ visit: (Result<Envelope, StoreError>) throws -> Void) throws {
        // A page at a time, in one snapshot: a large store is never held in memory whole.
        try read { s in
            var after: Int64 = -1
            while true {
                let rows = try s.rows("SELECT \(Self.recordColumns) FROM records WHERE seq > $1 ORDER BY seq LIMIT 1000", [.int(after)])
                for row in rows {
                    let read: Result<Envelope, StoreError>
                    do { read = .success(try Self.envelope(row)) } catch let e as StoreError {
                        read = .failure(e)
                    } catch {
                        read = .failure(.corrupt("record \(row[1] ?? "?"): \(error)"))
                    }
                    try visit(read)
                }
                guard rows.count == 1000, let last = rows.last?[0].flatMap({ Int64($0) }) else { return }
                after = last
            }
        }
    }

    // MARK: Cursors

    public func cursor(peer: String, direction: CursorDirection) throws -> PeerCursor? {
        try read { s in try Self.cursors(s).first { $0.peer == peer && $0.direction == direction } }
    }

    public func setCursor(_ cursor: PeerCursor) throws {
        try write { s in try Self.saveCursor(s, cursor) }
    }

    // MARK: Conflicts and quarantine

    public func conflicts(openOnly: Bool) throws -> [ConflictEntry] {
        try read { s in
            try s.rows("SELECT \(Self.conflictColumns) FROM conflicts \(openOnly ? "WHERE resolved_at IS NULL" : "") ORDER BY id").map(Self.conflict)
        }
    }

    public func conflict(id: Int64) throws -> ConflictEntry? {
        try read { s in try Self.conflict(s, id: id) }
    }

    public func resolveConflict(id: Int64, body: JSONValue, deleted: Bool = false) throws -> Envelope {
        try versions { try $0.resolveConflict(id: id, body: body, deleted: deleted) }
    }

    public func quarantine(limit: Int) throws -> [QuarantineEntry] {
        try read { s in try s.rows("SELECT \(Self.quarantineColumns) FROM quarantine ORDER BY id DESC LIMIT $1", [.int(Int64(limit))]).map(Self.quarantineEntry) }
    }

    public func mappedQuarantine(mapping: String?, after id: Int64, limit: Int) throws -> [QuarantineEntry] {
        try read { s in
            let rows = if let mapping {
                try s.rows("SELECT \(Self.quarantineColumns) FROM quarantine WHERE mapping = $1 AND id > $2 ORDER BY id LIMIT $3",
                           [.text(mapping), .int(id), .int(Int64(limit))])
            } else {
                try s.rows("SELECT \(Self.quarantineColumns) FROM quarantine WHERE mapping IS NOT NULL AND id > $1 ORDER BY id LIMIT $2",
                           [.int(id), .int(Int64(limit))])
            }
            return try rows.map(Self.quarantineEntry)
        }
    }

    public func settleQuarantine(_ outcomes: [(id: Int64, stillFailing: String?)]) throws {
        guard !outcomes.isEmpty else { return }
        try write { s in
            let now = StoreClock.timestamp()
            for o in outcomes {
                if let reason = o.stillFailing {
                    try s.rows("UPDATE quarantine SET reason = $1, attempts = attempts + 1, at = $2 WHERE id = $3",
                               [.text(StoredText.storable(reason)), .text(now), .int(o.id)])
                } else {
                    try s.rows("DELETE FROM quarantine WHERE id = $1", [.int(o.id)])
                }
            }
        }
    }

    // MARK: Audit

    public func audit(kind: AuditKind, detail: String) throws {
        try versions { try $0.transaction.audit(kind, detail) }
    }

    public func auditEntries(limit: Int) throws -> [AuditEntry] {
        try read { s in
            try s.rows("SELECT seq, at, kind, detail, hash FROM audit ORDER BY seq DESC LIMIT $1", [.int(Int64(limit))]).map {
                AuditEntry(sequence: Int64($0[0] ?? "") ?? 0, at: $0[1] ?? "", kind: $0[2] ?? "", detail: $0[3] ?? "", hash: $0[4] ?? "")
            }
        }
    }

    public func verifyAudit() throws -> AuditVerification {
        try read { s in
            var previous = AuditChain.genesis
            var expected: Int64 = 1
            while true {
                let rows = try s.rows("SELECT seq, at, kind, detail, prev, hash FROM audit WHERE seq >= $1 ORDER BY seq LIMIT 1000", [.int(expected)])
                for row in rows {
                    let seq = Int64(row[0] ?? "") ?? 0
                    guard seq == expected else { return .broken(atSequence: expected, reason: "entry \(expected) is missing") }
                    guard row[4] == previous else {
                        return .broken(atSequence: seq, reason: "entry \(seq) does not follow entry \(seq - 1): the chain was cut or reordered")
                    }
                    let hash = AuditChain.hash(previous: previous, sequence: seq, at: row[1] ?? "", kind: row[2] ?? "", detail: row[3] ?? "")
                    guard hash == row[5] else { return .broken(atSequence: seq, reason: "entry \(seq) was changed after it was written") }
                    previous = hash
                    expected += 1
                }
                if rows.count < 1000 { return .intact(entries: Int(expected - 1)) }
            }
        }
    }

    // MARK: Tombstones

    public func releaseMemory() {
        // The server keeps its own caches; the idle connections go.
        readers.closeIdle()
    }

    public func purgeTombstones(peers: [String], upTo: Int64 = .max) throws -> Int {
        try versions { w in
            let s = w.transaction.session
            let cursors = try Self.cursors(s).filter { $0.direction == .push && $0.epoch == epoch }
            var horizon = upTo
            for p in peers {
                guard let c = cursors.first(where: { $0.peer == p }) else { return 0 }
                horizon = min(horizon, c.sequence)
            }
            guard horizon != Int64.max else { return 0 }
            let n = Int(try s.integer("WITH gone AS (DELETE FROM records WHERE deleted AND seq <= $1 RETURNING 1) SELECT count(*) FROM gone", [.int(horizon)]) ?? 0)
            if n > 0 { try w.transaction.audit(.tombstonesPurged, "\(n) tombstones up to sequence \(horizon)") }
            return n
        }
    }
}
