import Foundation
import GRDB
import Replication
import Standard

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
            try db.execute(sql: "PRAGMA cache_size = -65536")
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

    // MARK: Local writes

    public func write(type: String, body: JSONValue) throws -> Envelope? {
        guard let rt = catalog.recordTypes[type] else { throw StoreError.unknownType(type) }
        let id: String
        do { id = try RecordID.derive(type: rt, body: body).uuidString.lowercased() } catch {
            throw StoreError.invalidRecord(error.description)
        }
        return try writing { db, state in try self.localWrite(db, id: id, type: type, body: body, deleted: false, &state) }
    }

    public func write(_ records: [(type: String, body: JSONValue)]) throws -> [Envelope?] {
        var prepared: [(id: String, type: String, body: JSONValue)] = []
        for r in records {
            guard let rt = catalog.recordTypes[r.type] else { throw StoreError.unknownType(r.type) }
            do { prepared.append((try RecordID.derive(type: rt, body: r.body).uuidString.lowercased(), r.type, r.body)) } catch {
                throw StoreError.invalidRecord(error.description)
            }
        }
        return try writing { db, state in
            try prepared.map { try self.localWrite(db, id: $0.id, type: $0.type, body: $0.body, deleted: false, &state) }
        }
    }

    public func quarantine(source: String, text: String, reason: String) throws {
        try pool.write { db in try Self.quarantine(db, source: source, text: text, reason: reason) }
    }

    public func delete(id: String) throws -> Envelope? {
        try writing { db, state in
            guard let current = try Self.fetchRecord(db, id: id) else { throw StoreError.unknownRecord(id) }
            return try self.localWrite(db, id: id, type: current.type, body: [:], deleted: true, &state)
        }
    }

    func localWrite(_ db: Database, id: String, type: String, body: JSONValue, deleted: Bool, _ state: inout WriteState) throws -> Envelope? {
        let current = try Self.fetchRecord(db, id: id)
        var clock = state.clock
        let hlc = clock.now(wall: StoreClock.wallMillis())
        let written: Envelope?
        do { written = try MergeRules.write(current: current, id: id, type: type, body: body, deleted: deleted, node: nodeID, hlc: hlc) } catch {
            throw StoreError.invalidRecord("record \(id): \(error.description)")
        }
        guard let env = written else { return nil }
        state.clock = clock
        try store(db, env, fromPeer: nil, &state)
        if let policy = catalog.recordTypes[type]?.conflictPolicy {
            try keepConflictRows(db, env, over: current, policy: policy, from: nil)
        }
        return env
    }

    // MARK: Remote versions

    public func apply(_ batches: [IncomingBatch]) throws -> [BatchResult] {
        try writing { db, state in try batches.map { try apply($0, db, &state) } }
    }

    public func apply(from next: () throws -> [IncomingBatch]) throws -> [BatchResult] {
        try writing { db, state in
            var results: [BatchResult] = []
            while case let batches = try next(), !batches.isEmpty {
                for b in batches { results.append(try apply(b, db, &state)) }
            }
            return results
        }
    }

    private func apply(_ batch: IncomingBatch, _ db: Database, _ state: inout WriteState) throws -> BatchResult {
        let batchStart = state.lastSequence
        if let id = batch.batchID,
           let stored = try String.fetchOne(db, sql: "SELECT result FROM applied_batches WHERE batch_id = ?", arguments: [id]) {
            return BatchResult(outcomes: stored.split(separator: ",").compactMap { RecordOutcome(rawValue: String($0)) }, repeated: true)
        }
        // The batch's current versions in one query instead of one per record;
        // merging looks at vectors and hashes, and storing takes bodies as text.
        // Versions stored by this batch are remembered only where they replaced
        // one (a batch rarely holds an id twice; when it does, the insert of
        // the second meets the first and the record is read again). After a
        // batch of new records none are looked up (`WriteState.lastBatchWasNew`).
        let lookedUp = !state.lastBatchWasNew
        var locals = lookedUp ? try Self.fetchRecords(db, ids: batch.versions.map { $0.id }, bodies: false) : [:]
        var metStored = false
        var onlyFromPeer = true
        func put(_ e: Envelope, from peer: String?, over local: Envelope?) throws {
            try store(db, e, fromPeer: peer, &state, replacing: local != nil)
            if local != nil { locals[e.id] = e }
            if peer == nil { onlyFromPeer = false }
        }
        /// One version over the stored one: the merge rules' outcome, stored and noted.
        func merge(_ v: Envelope, over local: Envelope?, policy: ConflictPolicy) throws -> RecordOutcome {
            switch MergeRules.apply(v, over: local, policy: policy) {
            case .stored(let e):
                try put(e, from: batch.peer, over: local)
                try keepConflictRows(db, e, over: local, policy: policy, from: batch.peer)
                return .applied
            case .alreadyHad:
                return .alreadyHad
            case .unmasked(let e):
                // The same version whole, where only a masked copy was held (a personal grant given since).
                try put(e, from: e.vv == v.vv ? batch.peer : nil, over: local)
                return .applied
            case .merged(let e):
                try put(e, from: nil, over: local)
                try keepConflictRows(db, e, over: local, policy: policy, from: batch.peer)
                return .merged
            case .conflict(let stored, let loser):
                try put(stored, from: nil, over: local)
                let manual = policy == .manual
                try db.execute(sql: """
                    INSERT INTO conflicts (record_id, type, policy, winner, loser, detected_at, resolved_at, resolution)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [v.id, v.type, policy.rawValue, stored.line, loser.line,
                                     StoreClock.timestamp(), manual ? nil : StoreClock.timestamp(), manual ? nil : policy.rawValue])
                if manual {
                    // One open row per record awaiting review, as on every other node
                    // (which may have met the losers in another order); earlier rows stay
                    // as history, their losers still listed in the envelope.
                    let row = db.lastInsertedRowID
                    try db.execute(sql: "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE record_id = ? AND resolved_at IS NULL AND id != ?",
                                   arguments: [StoreClock.timestamp(), "still awaiting review: see conflict \(row)", v.id, row])
                }
                try Self.appendAudit(db, kind: .conflict, detail: "record \(v.id) (\(v.type)) from \(batch.peer): \(policy.rawValue) kept \(stored.writer)'s version over \(loser.writer)'s")
                try keepConflictRows(db, stored, over: local, policy: policy, from: batch.peer)
                return .conflict
            case .divergence(let stored, let local, let remote):
                if let stored {
                    try put(stored, from: batch.peer, over: local)
                    try keepConflictRows(db, stored, over: local, policy: policy, from: batch.peer)
                }
                try Self.appendAudit(db, kind: .divergence, detail: "record \(v.id): equal version vectors \(local.vv) with different content from \(batch.peer) (local \(local.hash.prefix(12)), remote \(remote.hash.prefix(12))); kept \(stored == nil ? "local" : "remote") by tie-break")
                return .divergence
            }
        }
        var outcomes: [RecordOutcome] = []
        outcomes.reserveCapacity(batch.versions.count + batch.rejected.count)
        var refused: [String] = []
        /// A version checked and found wanting here: quarantined with its reason.
        func refuse(_ v: Envelope, _ reason: String) throws {
            try Self.quarantine(db, source: batch.peer, text: v.line, reason: reason)
            outcomes.append(.rejected)
            refused.append(reason)
        }
        // Batches mostly hold one type: its policy is looked up once, not per record.
        var lastPolicy: (type: String, policy: ConflictPolicy)?
        for v in batch.versions {
            let policy: ConflictPolicy
            if let p = lastPolicy, p.type == v.type {
                policy = p.policy
            } else if let rt = catalog.recordTypes[v.type] {
                policy = rt.conflictPolicy
                lastPolicy = (v.type, policy)
            } else {
                try refuse(v, "unknown record type \"\(v.type)\"")
                continue
            }
            do { try state.clock.observe(v.hlc, wall: StoreClock.wallMillis()) } catch {
                try refuse(v, "record \(v.id): \(String(describing: error))")
                continue
            }
            var local = locals.isEmpty ? nil : locals[v.id]
            if local == nil && !lookedUp && v.vv[nodeID] > 0 {
                // Not looked up (after a new batch), but it names a write of ours: it must be stored here.
                local = try Self.fetchRecord(db, id: v.id)
                if let local { locals[v.id] = local; metStored = true }
            }
            if let why = forgedOwnWrite(v, over: local) {
                try refuse(v, "record \(v.id): \(why)")
                continue
            }
            do {
                outcomes.append(try merge(v, over: local, policy: policy))
            } catch is RepeatedInBatch {
                let stored = try Self.fetchRecord(db, id: v.id)
                locals[v.id] = stored
                metStored = true
                outcomes.append(try merge(v, over: stored, policy: policy))
            }
        }
        for r in batch.rejected {
            try Self.quarantine(db, source: batch.peer, text: r.text, reason: r.reason)
            outcomes.append(.rejected)
        }
        state.lastBatchWasNew = lookedUp ? locals.isEmpty && !metStored : !metStored
        if let c = batch.cursor { try Self.saveCursor(db, c) }
        try skipPushCursor(db, peer: batch.peer, onlyFromPeer: onlyFromPeer, from: batchStart, to: state.lastSequence)
        let counts = RecordOutcome.allCases.map { o in "\(o.rawValue)=\(outcomes.filter { $0 == o }.count)" }.joined(separator: " ")
        try Self.appendAudit(db, kind: .batchReceived, detail: "peer \(batch.peer) batch \(batch.batchID ?? "-"): \(counts)")
        if let id = batch.batchID {
            try db.execute(sql: "INSERT INTO applied_batches (batch_id, peer, applied_at, result) VALUES (?, ?, ?, ?)",
                           arguments: [id, batch.peer, StoreClock.timestamp(), outcomes.map(\.rawValue).joined(separator: ",")])
        }
        return BatchResult(outcomes: outcomes, repeated: false, refused: refused)
    }

    /// Why a remote version cannot be taken, when it claims a write of this
    /// node's that this node never made: each node is the only writer of its
    /// own entry, so a remote counter for it above the stored one is forged or
    /// damaged, and taking it would let the next local write count on from a
    /// peer's number. A tombstone of a record no longer held is let through
    /// (tombstones are purged once every peer has them, and may come again).
    func forgedOwnWrite(_ v: Envelope, over local: Envelope?) -> String? {
        let claimed = v.vv[nodeID], held = local?.vv[nodeID] ?? 0
        guard claimed > held, !(local == nil && v.deleted) else { return nil }
        return "its version vector \(v.vv) claims write \(claimed) of this node (\(nodeID)), which has written this record only up to \(held): refused as forged or damaged"
    }

    /// Keeps the conflicts table in step with the stored envelope, so every
    /// node shows the same records as awaiting review: open rows exist for a
    /// record exactly while its envelope lists losing versions. Touches the
    /// table only when the listing appears or goes (rare).
    func keepConflictRows(_ db: Database, _ e: Envelope, over local: Envelope?, policy: ConflictPolicy, from peer: String?) throws {
        let had = !(local?.conflicts.isEmpty ?? true), has = !e.conflicts.isEmpty
        if had && !has {
            // A version that lists no losers dominates them: settled where it was written.
            try db.execute(sql: "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE record_id = ? AND resolved_at IS NULL",
                           arguments: [StoreClock.timestamp(), e.writer == nodeID ? "superseded by a local write" : "resolved at \(e.writer)", e.id])
        } else if has,
                  try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conflicts WHERE record_id = ? AND resolved_at IS NULL", arguments: [e.id]) == 0 {
            // Another node found a manual conflict: flag it here too, so every
            // node's operator sees the record awaits review.
            let loser = local ?? e
            try db.execute(sql: """
                INSERT INTO conflicts (record_id, type, policy, winner, loser, detected_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [e.id, e.type, policy.rawValue, e.line, loser.line, StoreClock.timestamp()])
            try Self.appendAudit(db, kind: .conflict, detail: "record \(e.id) (\(e.type))\(peer.map { " from \($0)" } ?? "") awaits review: \(e.conflicts.count) losing version(s) listed")
        }
    }

    /// Versions stored exactly as a peer sent them are never sent back to it,
    /// so when the peer's push cursor stood at the end of the log and the batch
    /// stored nothing else, the cursor moves past the batch: the next push
    /// does not read through everything just received from that peer.
    func skipPushCursor(_ db: Database, peer: String, onlyFromPeer: Bool, from start: Int64, to end: Int64) throws {
        guard onlyFromPeer, end > start else { return }
        let push = try Self.cursors(db).first { $0.peer == peer && $0.direction == .push }
        let atEnd = push.map { $0.epoch == epoch && $0.sequence == start } ?? (start == 0)
        if atEnd { try Self.saveCursor(db, PeerCursor(peer: peer, direction: .push, epoch: epoch, sequence: end)) }
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
        try writing { db, state in
            guard let c = try Row.fetchOne(db, sql: "SELECT * FROM conflicts WHERE id = ?", arguments: [id]).map(Self.conflict) else {
                throw StoreError.unknownConflict(id)
            }
            guard let rt = catalog.recordTypes[c.type] else { throw StoreError.unknownType(c.type) }
            let derived = deleted ? c.recordID : try RecordID.derive(type: rt, body: body).uuidString.lowercased()
            guard derived == c.recordID else {
                throw StoreError.invalidRecord("the chosen version changes the record's natural key (\(rt.naturalKey.joined(separator: ", "))); resolve with a body of the same record")
            }
            try db.execute(sql: "UPDATE conflicts SET resolved_at = ?, resolution = 'operator' WHERE record_id = ? AND resolved_at IS NULL",
                           arguments: [StoreClock.timestamp(), c.recordID])
            // A local write over the stored version dominates both versions in conflict.
            var env = try self.localWrite(db, id: c.recordID, type: c.type, body: deleted ? [:] : body, deleted: deleted, &state)
            if env == nil, var current = try Self.fetchRecord(db, id: c.recordID) {
                // Same content as stored: still write a version that dominates, clearing the listed losers.
                do { current.vv = try current.vv.incremented(for: nodeID) } catch { throw StoreError.invalidRecord("record \(c.recordID): \(error)") }
                current.hlc = state.clock.now(wall: StoreClock.wallMillis())
                current.writer = nodeID
                current.conflicts = []
                try store(db, current, fromPeer: nil, &state)
                env = current
            }
            try Self.appendAudit(db, kind: .conflictResolved, detail: "record \(c.recordID) (conflict \(id)) resolved by the operator at \(nodeID)")
            return env!
        }
    }

    public func quarantine(limit: Int) throws -> [QuarantineEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM quarantine ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                QuarantineEntry(id: $0["id"], source: $0["source"], text: $0["text"], reason: $0["reason"], at: $0["at"])
            }
        }
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

    public func purgeTombstones(peers: [String]) throws -> Int {
        try pool.write { db in
            let cursors = try Self.cursors(db).filter { $0.direction == .push && $0.epoch == epoch }
            var horizon = Int64.max
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
