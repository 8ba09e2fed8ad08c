import Foundation
import GRDB
import Replication
import Standard
import JSON

/// The embedded node store: one SQLite file in WAL mode. Every change is one
/// transaction together with what it advances (cursor, batch id, clock, audit),
/// so a crash leaves all of it or none.
public final class SQLiteNodeStore: NodeStore {
    public let path: String
    public let nodeID: String
    public let epoch: String
    let pool: DatabasePool
    let catalog: StandardCatalog
    let maxSkewMillis: UInt64
    let checkpointer: WALCheckpointer

    private init(path: String, pool: DatabasePool, checkpointer: WALCheckpointer, catalog: StandardCatalog, maxSkewMillis: UInt64) throws {
        self.path = path
        self.pool = pool
        self.checkpointer = checkpointer
        self.catalog = catalog
        self.maxSkewMillis = maxSkewMillis
        let meta = try pool.read { db in try Self.meta(db) }
        guard let node = meta["node_id"], let epoch = meta["epoch"] else { throw StoreError.notInitialised(path) }
        nodeID = node
        self.epoch = epoch
    }

    /// The page size of new stores. Larger pages than SQLite's 4 KB mean a
    /// quarter of the log frames, each written in two calls, and a shallower
    /// id index, so large pulls take less time and write less (figures in
    /// Benchmarks/README.md). Stores made before keep their page size.
    static let pageSize = 16_384

    private static func configuration(_ checkpointer: WALCheckpointer, creating: Bool = false) -> Configuration {
        var c = Configuration()
        c.busyMode = .timeout(10)
        // SQLite's default page cache (2 MB) holds almost none of the id index
        // of a large store, and every apply looks a record up by id. The log is
        // copied back by `WALCheckpointer`, not by the writer. The WAL file is
        // reused from its start, not cut back: a WAL that grows again after
        // each cut makes the kernel allocate and zero fresh pages for every
        // frame (frames are 4,120 bytes, never page-aligned), a large share of
        // the applying thread's time in a large pull. It is cut only beyond 512 MB,
        // and removed when the store closes.
        c.prepareDatabase { db in
            // Only an empty file takes it, before the log is switched on (after this).
            if creating && !db.configuration.readonly { try db.execute(sql: "PRAGMA page_size = \(pageSize)") }
            // The writer looks records up by id; readers mostly walk the change log in order.
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA journal_size_limit = 536870912")
            if !db.configuration.readonly { try checkpointer.attach(to: db) }
        }
        return c
    }

    /// Creates a new store for a new node. Refuses an existing one: a node id is never reused.
    public static func create(path: String, nodeID: String, catalog: StandardCatalog, maxSkewMillis: UInt64 = 60_000) throws -> SQLiteNodeStore {
        try create(path: path, nodeID: nodeID, catalog: catalog, maxSkewMillis: maxSkewMillis, checkpointer: WALCheckpointer(path: path))
    }

    static func create(path: String, nodeID: String, catalog: StandardCatalog, maxSkewMillis: UInt64 = 60_000,
                       checkpointer: WALCheckpointer) throws -> SQLiteNodeStore {
        if FileManager.default.fileExists(atPath: path) { throw StoreError.alreadyInitialised(path) }
        let pool = try DatabasePool(path: path, configuration: configuration(checkpointer, creating: true))
        try migrator.migrate(pool)
        try pool.write { db in
            let at = StoreClock.timestamp()
            for (k, v) in [("node_id", nodeID), ("epoch", UUID().uuidString.lowercased()), ("last_seq", "0"),
                           ("hlc", HLCTimestamp(millis: 0).description), ("created_at", at)] {
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [k, v])
            }
            try appendAudit(db, kind: .storeCreated, detail: "node \(nodeID)")
        }
        return try SQLiteNodeStore(path: path, pool: pool, checkpointer: checkpointer, catalog: catalog, maxSkewMillis: maxSkewMillis)
    }

    /// Opens an existing store, bringing its schema up to date.
    public static func open(path: String, catalog: StandardCatalog, maxSkewMillis: UInt64 = 60_000) throws -> SQLiteNodeStore {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.notInitialised(path) }
        let checkpointer = WALCheckpointer(path: path)
        let pool = try DatabasePool(path: path, configuration: configuration(checkpointer))
        try migrator.migrate(pool)
        return try SQLiteNodeStore(path: path, pool: pool, checkpointer: checkpointer, catalog: catalog, maxSkewMillis: maxSkewMillis)
    }

    deinit { checkpointer.stop() }

    // MARK: Info

    public func info() throws -> StoreInfo {
        try pool.read { db in
            var byType: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT type, COUNT(*) AS n FROM records WHERE deleted = 0 GROUP BY type") {
                byType[row["type"]] = row["n"]
            }
            return StoreInfo(
                nodeID: nodeID, epoch: epoch,
                lastSequence: Int64(try Self.meta(db)["last_seq"] ?? "0") ?? 0,
                recordsByType: byType,
                tombstones: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records WHERE deleted = 1") ?? 0,
                openConflicts: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conflicts WHERE resolved_at IS NULL") ?? 0,
                quarantined: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantine") ?? 0,
                cursors: try Self.cursors(db))
        }
    }

    public func lastSequence() throws -> Int64 {
        try pool.read { db in Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'last_seq'") ?? "0") ?? 0 }
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

    public func quarantine(_ rows: [QuarantinedRow]) throws {
        guard !rows.isEmpty else { return }
        try pool.write { db in
            let now = StoreClock.timestamp()
            let find = try db.cachedStatement(sql: "SELECT id FROM quarantine WHERE place = ? AND mapping = ? AND text = ?")
            let update = try db.cachedStatement(sql: "UPDATE quarantine SET reason = ?, at = ? WHERE id = ?")
            let insert = try db.cachedStatement(sql: "INSERT INTO quarantine (source, text, reason, at, mapping, place) VALUES (?, ?, ?, ?, ?, ?)")
            for row in rows {
                let text = StoredText.storable(row.text), reason = StoredText.storable(row.reason)
                let place = row.place.map(StoredText.storable), source = StoredText.storable(row.source)
                // The same row from the same place, read again (a file taken again
                // after a stop), is kept once: its reason is brought up to date.
                if let place, let mapping = row.mapping,
                   let id = try Int64.fetchOne(find, arguments: [place, mapping, text]) {
                    try update.execute(arguments: [reason, now, id])
                } else {
                    try insert.execute(arguments: [source, text, reason, now, row.mapping, place])
                }
            }
        }
    }

    public func quarantinedPlaces(mapping: String) throws -> Set<String> {
        try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT place FROM quarantine WHERE mapping = ? AND place IS NOT NULL", arguments: [mapping])) }
    }

    public func clearQuarantine(mapping: String, places: [String]) throws {
        guard !places.isEmpty else { return }
        try pool.write { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM quarantine WHERE place = ? AND mapping = ?")
            for place in places { try statement.execute(arguments: [place, mapping]) }
        }
    }

    public func delete(id: String, reason: String?) throws -> Envelope? {
        try versions { try $0.delete(id: id, reason: reason) }
    }

    // MARK: Remote versions

    public func apply(_ batches: [IncomingBatch]) throws -> [BatchResult] {
        try versions { w in try batches.map { try w.apply($0) } }
    }

    public func apply(from next: () throws -> [IncomingBatch]) throws -> [BatchResult] {
        try versions { w in
            var results: [BatchResult] = []
            while case let batches = try next(), !batches.isEmpty {
                for b in batches { results.append(try w.apply(b)) }
            }
            return results
        }
    }

    public func changes(since: Int64, excludingPeer: String?, limit: Int, bodies: Bool) throws -> ChangeSet {
        try pool.read { db in
            // The peer's own versions are left out in SQL, so a push after a large
            // pull from that peer does not read (and parse) them all again.
            // Rows read in place (a cursor) rather than copied first: serving a
            // pull reads every column of every record once.
            let rows = try Row.fetchCursor(try db.cachedStatement(sql: Self.changesSQL), arguments: [since, excludingPeer ?? "", limit])
            var versions: [Envelope] = []
            versions.reserveCapacity(min(limit, 10_000))
            var lastRow: Int64 = 0
            while let row = try rows.next() {
                versions.append(try Self.envelope(row, body: bodies))
                lastRow = row[RecordColumn.seq]
            }
            return ChangeSet(versions: versions, lastSequence: try Self.lookedAt(db, since: since, rows: versions.count, limit: limit, lastRow: lastRow),
                             epoch: epoch)
        }
    }

    /// How far a page of `changesSQL` looked: a full page up to its last row,
    /// a short one up to the end of the log.
    static func lookedAt(_ db: Database, since: Int64, rows: Int, limit: Int, lastRow: Int64) throws -> Int64 {
        rows == limit ? lastRow : max(since, Int64(try meta(db)["last_seq"] ?? "0") ?? 0)
    }

    /// The change log after a sequence, leaving out one peer's versions, a page at a time.
    static let changesSQL = "SELECT \(recordColumns) FROM records WHERE seq > ? AND (from_peer IS NULL OR from_peer != ?) ORDER BY seq LIMIT ?"

    // MARK: Reading

    public func record(id: String) throws -> Envelope? {
        try pool.read { db in try Self.fetchRecord(db, id: id) }
    }

    public func records(type: String?, after: String?, limit: Int) throws -> [Envelope] {
        try pool.read { db in
            let rows: [Row]
            if let type {
                rows = try Row.fetchAll(db, sql: "SELECT \(Self.recordColumns) FROM records WHERE type = ? AND id > ? ORDER BY id LIMIT ?", arguments: [type, after ?? "", limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT \(Self.recordColumns) FROM records WHERE id > ? ORDER BY id LIMIT ?", arguments: [after ?? "", limit])
            }
            return try rows.map { try Self.envelope($0) }
        }
    }

    public func scanRecords(_ visit: (Result<Envelope, StoreError>) throws -> Void) throws {
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.recordColumns) FROM records ORDER BY seq")
            while let row = try rows.next() {
                let read: Result<Envelope, StoreError>
                do { read = .success(try Self.envelope(row)) } catch let e as StoreError {
                    read = .failure(e)
                } catch {
                    read = .failure(.corrupt("record \(row[RecordColumn.id] as String? ?? "?"): \(error)"))
                }
                try visit(read)
            }
        }
    }

    // MARK: Cursors

    public func cursor(peer: String, direction: CursorDirection) throws -> PeerCursor? {
        try pool.read { db in try Self.cursors(db).first { $0.peer == peer && $0.direction == direction } }
    }

    public func setCursor(_ cursor: PeerCursor) throws {
        try pool.write { db in try Self.saveCursor(db, cursor) }
    }

    // MARK: Conflicts and quarantine

    public func conflicts(openOnly: Bool) throws -> [ConflictEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM conflicts \(openOnly ? "WHERE resolved_at IS NULL" : "") ORDER BY id").map(Self.conflict)
        }
    }

    public func conflict(id: Int64) throws -> ConflictEntry? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM conflicts WHERE id = ?", arguments: [id]).map(Self.conflict) }
    }

    public func resolveConflict(id: Int64, body: JSONValue, deleted: Bool = false) throws -> Envelope {
        try versions { try $0.resolveConflict(id: id, body: body, deleted: deleted) }
    }

    public func quarantine(limit: Int) throws -> [QuarantineEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM quarantine ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.quarantineEntry)
        }
    }

    public func mappedQuarantine(mapping: String?, after id: Int64, limit: Int) throws -> [QuarantineEntry] {
        try pool.read { db in
            let rows = if let mapping {
                try Row.fetchAll(db, sql: "SELECT * FROM quarantine WHERE mapping = ? AND id > ? ORDER BY id LIMIT ?", arguments: [mapping, id, limit])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM quarantine WHERE mapping IS NOT NULL AND id > ? ORDER BY id LIMIT ?", arguments: [id, limit])
            }
            return rows.map(Self.quarantineEntry)
        }
    }

    public func settleQuarantine(_ outcomes: [(id: Int64, stillFailing: String?)]) throws {
        guard !outcomes.isEmpty else { return }
        try pool.write { db in
            let now = StoreClock.timestamp()
            let keep = try db.cachedStatement(sql: "UPDATE quarantine SET reason = ?, attempts = attempts + 1, at = ? WHERE id = ?")
            let remove = try db.cachedStatement(sql: "DELETE FROM quarantine WHERE id = ?")
            for o in outcomes {
                if let reason = o.stillFailing { try keep.execute(arguments: [StoredText.storable(reason), now, o.id]) } else { try remove.execute(arguments: [o.id]) }
            }
        }
    }

    static func quarantineEntry(_ row: Row) -> QuarantineEntry {
        QuarantineEntry(id: row["id"], source: row["source"], text: row["text"], reason: row["reason"], at: row["at"],
                        mapping: row["mapping"], place: row["place"], attempts: row["attempts"] ?? 1)
    }

    // MARK: Audit

    public func audit(kind: AuditKind, detail: String) throws {
        try pool.write { db in try Self.appendAudit(db, kind: kind, detail: detail) }
    }

    public func auditEntries(limit: Int) throws -> [AuditEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq DESC LIMIT ?", arguments: [limit]).map {
                AuditEntry(sequence: $0["seq"], at: $0["at"], kind: $0["kind"], detail: $0["detail"], hash: $0["hash"])
            }
        }
    }

    public func verifyAudit() throws -> AuditVerification {
        try pool.read { db in
            var previous = AuditChain.genesis
            var expected: Int64 = 1
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY seq")
            while let row = try cursor.next() {
                let seq: Int64 = row["seq"]
                guard seq == expected else { return .broken(atSequence: expected, reason: "entry \(expected) is missing") }
                guard (row["prev"] as String) == previous else {
                    return .broken(atSequence: seq, reason: "entry \(seq) does not follow entry \(seq - 1): the chain was cut or reordered")
                }
                let hash = AuditChain.hash(previous: previous, sequence: seq, at: row["at"], kind: row["kind"], detail: row["detail"])
                guard hash == (row["hash"] as String) else {
                    return .broken(atSequence: seq, reason: "entry \(seq) was changed after it was written")
                }
                previous = hash
                expected += 1
            }
            return .intact(entries: Int(expected - 1))
        }
    }

    // MARK: Tombstones

    public func releaseMemory() {
        // Closes the readers and empties the writer's page cache.
        pool.releaseMemory()
    }

    public func purgeTombstones(peers: [String], upTo: Int64 = .max) throws -> Int {
        try pool.write { db in
            let cursors = try Self.cursors(db).filter { $0.direction == .push && $0.epoch == epoch }
            var horizon = upTo
            for p in peers {
                guard let c = cursors.first(where: { $0.peer == p }) else { return 0 }
                horizon = min(horizon, c.sequence)
            }
            guard horizon != Int64.max else { return 0 }
            try db.execute(sql: "DELETE FROM records WHERE deleted = 1 AND seq <= ?", arguments: [horizon])
            let n = db.changesCount
            if n > 0 { try Self.appendAudit(db, kind: .tombstonesPurged, detail: "\(n) tombstones up to sequence \(horizon)") }
            return n
        }
    }
}
