import Replication
import Standard
import JSON

/// Writes versions into a store's transaction: local writes (with the record
/// id derived from the natural key), batches from peers, conflict
/// resolutions. What each outcome of `MergeRules` means is decided here,
/// once, for every backend: which version is stored and whether it came from
/// the peer as is, the conflicts table kept in step with the envelopes, the
/// audit lines, quarantine, the batch's cursor and its repeat.
public struct VersionWriter<T: VersionTransaction> {
    public var transaction: T
    let catalog: StandardCatalog
    /// Whether the last batch applied held only records not stored here: the
    /// next is then applied without looking its records up first (a pull of
    /// new records, most of a large one). Each is inserted as new; one that is
    /// stored after all meets the id index, is read back and merged. A writer
    /// lives for one transaction, and so does this.
    var lastBatchWasNew = false

    public init(_ transaction: T, catalog: StandardCatalog) {
        self.transaction = transaction
        self.catalog = catalog
    }

    var nodeID: String { transaction.nodeID }

    // MARK: Local writes

    /// The record's id: UUIDv5 of its type and natural key.
    func recordID(type: String, body: JSONValue) throws -> String {
        guard let rt = catalog.recordTypes[type] else { throw StoreError.unknownType(type) }
        do { return RecordID.text(try RecordID.derive(type: rt, body: body)) } catch {
            throw StoreError.invalidRecord(error.description)
        }
    }

    /// `body` made ready for `write(_:)`.
    public func prepare(type: String, body: JSONValue) throws -> LocalRecord {
        guard let rt = catalog.recordTypes[type] else { throw StoreError.unknownType(type) }
        do { return try LocalRecord(type: rt, body: body) } catch { throw StoreError.invalidRecord(error.description) }
    }

    /// A local write of a standard record; nil when nothing changed (no new version).
    public mutating func write(type: String, body: JSONValue) throws -> Envelope? {
        try localWrite(id: try recordID(type: type, body: body), type: type, body: body, deleted: false)
    }

    /// A local deletion: a tombstone version.
    public mutating func delete(id: String) throws -> Envelope? {
        guard let current = try transaction.version(id: id) else { throw StoreError.unknownRecord(id) }
        return try localWrite(id: id, type: current.type, body: [:], deleted: true)
    }

    /// A local delete; with a `reason` (a withdrawal by hand), an audit entry
    /// says what was withdrawn and why, in the same transaction.
    public mutating func delete(id: String, reason: String?) throws -> Envelope? {
        let tombstone = try delete(id: id)
        if let reason, let tombstone {
            try transaction.audit(.recordDeleted, "record \(id) (\(tombstone.type)) withdrawn at this node, version \(tombstone.vv): \(reason)")
        }
        return tombstone
    }

    /// Local writes of records made ready outside the transaction; nil
    /// entries made no new version.
    public mutating func write(_ records: [LocalRecord]) throws -> [Envelope?] {
        // Their stored versions in one query, as for a batch from a peer. A
        // record written twice in one call meets its own first write.
        var stored = try transaction.versions(ids: records.map(\.id))
        var written: [Envelope?] = []
        written.reserveCapacity(records.count)
        for i in records.indices {
            let id = records[i].id
            let env = try localWrite(id: id, type: records[i].type, body: records[i].body, content: (records[i].hash, records[i].canonical),
                                     deleted: false, current: stored[id])
            if let env { stored[id] = env }
            written.append(env)
        }
        return written
    }

    mutating func localWrite(id: String, type: String, body: JSONValue, deleted: Bool) throws -> Envelope? {
        try localWrite(id: id, type: type, body: body, content: ContentHash.withCanonicalBytes(body), deleted: deleted, current: try transaction.version(id: id))
    }

    /// `content`: the body's hash and canonical text; `current`: the stored version, if any.
    mutating func localWrite(id: String, type: String, body: JSONValue, content: (hash: String, canonical: [UInt8]), deleted: Bool,
                             current: Envelope?) throws -> Envelope? {
        var clock = transaction.clock
        let hlc = clock.now(wall: StoreClock.wallMillis())
        let written: Envelope?
        do {
            written = try MergeRules.write(current: current, id: id, type: type, body: body, hash: content.hash, canonical: content.canonical,
                                           deleted: deleted, node: nodeID, hlc: hlc)
        } catch {
            throw StoreError.invalidRecord("record \(id): \(error.description)")
        }
        guard let env = written else { return nil }
        // The clock moves only with a version written.
        transaction.clock = clock
        try transaction.put(env, fromPeer: nil, replacing: current != nil)
        if let policy = catalog.recordTypes[type]?.conflictPolicy {
            try keepConflictRows(env, over: current, policy: policy, from: nil)
        }
        return env
    }

    /// Settles conflict `id` with a local write of `body` (or a deletion) that
    /// dominates both versions, closing the record's open conflict rows.
    public mutating func resolveConflict(id: Int64, body: JSONValue, deleted: Bool) throws -> Envelope {
        guard let c = try transaction.conflict(id: id) else { throw StoreError.unknownConflict(id) }
        guard let rt = catalog.recordTypes[c.type] else { throw StoreError.unknownType(c.type) }
        let derived = deleted ? c.recordID : try recordID(type: c.type, body: body)
        guard derived == c.recordID else {
            throw StoreError.invalidRecord("the chosen version changes the record's natural key (\(rt.naturalKey.joined(separator: ", "))); resolve with a body of the same record")
        }
        try transaction.closeConflicts(recordID: c.recordID, except: nil, resolution: "operator")
        // A local write over the stored version dominates both versions in conflict.
        var env = try localWrite(id: c.recordID, type: c.type, body: deleted ? [:] : body, deleted: deleted)
        if env == nil, var current = try transaction.version(id: c.recordID) {
            // Same content as stored: still write a version that dominates, clearing the listed losers.
            do { current.vv = try current.vv.incremented(for: nodeID) } catch { throw StoreError.invalidRecord("record \(c.recordID): \(error)") }
            current.hlc = transaction.clock.now(wall: StoreClock.wallMillis())
            current.writer = nodeID
            current.conflicts = []
            try transaction.put(current, fromPeer: nil, replacing: true)
            env = current
        }
        try transaction.audit(.conflictResolved, "record \(c.recordID) (conflict \(id)) resolved by the operator at \(nodeID)")
        return env!
    }

    // MARK: Remote versions

    /// Applies one batch from a peer: each version merged over the stored one,
    /// the rejected ones quarantined, its cursor saved, and the batch id
    /// remembered so that a repeat gets the same answer and changes nothing.
    public mutating func apply(_ batch: IncomingBatch) throws -> BatchResult {
        if let id = batch.batchID, let outcomes = try transaction.appliedBatch(id: id) {
            return BatchResult(outcomes: outcomes, repeated: true)
        }
        var run = BatchRun(batch: batch, start: transaction.lastSequence, lookedUp: !lastBatchWasNew || !transaction.catchesRepeatedInserts)
        // The batch's current versions in one query instead of one per record.
        // Versions stored by this batch are remembered only where they replaced
        // one (a batch rarely holds an id twice; when it does, the insert of the
        // second meets the first and the record is read again). After a batch of
        // new records none are looked up.
        if run.lookedUp { run.locals = try transaction.versions(ids: batch.versions.map(\.id)) }
        run.outcomes.reserveCapacity(batch.versions.count + batch.rejected.count)
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
                try refuse(v, "unknown record type \"\(v.type)\"", &run)
                continue
            }
            do { try transaction.clock.observe(v.hlc, wall: StoreClock.wallMillis()) } catch {
                try refuse(v, "record \(v.id): \(String(describing: error))", &run)
                continue
            }
            var local = run.locals.isEmpty ? nil : run.locals[v.id]
            if local == nil && !run.lookedUp && v.vv[nodeID] > 0 {
                // Not looked up (after a new batch), but it names a write of ours: it must be stored here.
                local = try transaction.version(id: v.id)
                if let local { run.locals[v.id] = local; run.metStored = true }
            }
            if let why = forgedOwnWrite(v, over: local) {
                try refuse(v, "record \(v.id): \(why)", &run)
                continue
            }
            do {
                run.outcomes.append(try merge(v, over: local, policy: policy, &run))
            } catch is RepeatedInBatch {
                let stored = try transaction.version(id: v.id)
                run.locals[v.id] = stored
                run.metStored = true
                run.outcomes.append(try merge(v, over: stored, policy: policy, &run))
            }
        }
        for r in batch.rejected {
            try transaction.quarantine(source: batch.peer, text: r.text, reason: r.reason)
            run.outcomes.append(.rejected)
        }
        lastBatchWasNew = run.lookedUp ? run.locals.isEmpty && !run.metStored : !run.metStored
        if let c = batch.cursor { try transaction.saveCursor(c) }
        try skipPushCursor(peer: batch.peer, onlyFromPeer: run.onlyFromPeer, from: run.start, to: transaction.lastSequence)
        let counts = RecordOutcome.allCases.map { o in "\(o.rawValue)=\(run.outcomes.filter { $0 == o }.count)" }.joined(separator: " ")
        try transaction.audit(.batchReceived, "peer \(batch.peer) batch \(batch.batchID ?? "-"): \(counts)")
        if let id = batch.batchID { try transaction.rememberBatch(id: id, peer: batch.peer, outcomes: run.outcomes) }
        return BatchResult(outcomes: run.outcomes, repeated: false, refused: run.refused)
    }

    /// One batch's progress.
    struct BatchRun {
        let batch: IncomingBatch
        let start: Int64
        let lookedUp: Bool
        var locals: [String: Envelope] = [:]
        var metStored = false
        var onlyFromPeer = true
        var outcomes: [RecordOutcome] = []
        var refused: [String] = []
    }

    /// A version checked and found wanting here: quarantined with its reason.
    private mutating func refuse(_ v: Envelope, _ reason: String, _ run: inout BatchRun) throws {
        try transaction.quarantine(source: run.batch.peer, text: v.line, reason: reason)
        run.outcomes.append(.rejected)
        run.refused.append(reason)
    }

    private mutating func put(_ e: Envelope, from peer: String?, over local: Envelope?, _ run: inout BatchRun) throws {
        try transaction.put(e, fromPeer: peer, replacing: local != nil)
        if local != nil { run.locals[e.id] = e }
        if peer == nil { run.onlyFromPeer = false }
    }

    /// One version over the stored one: the merge rules' outcome, stored and noted.
    private mutating func merge(_ v: Envelope, over local: Envelope?, policy: ConflictPolicy, _ run: inout BatchRun) throws -> RecordOutcome {
        let peer = run.batch.peer
        switch MergeRules.apply(v, over: local, policy: policy) {
        case .stored(let e):
            try put(e, from: peer, over: local, &run)
            try keepConflictRows(e, over: local, policy: policy, from: peer)
            return .applied
        case .alreadyHad:
            return .alreadyHad
        case .unmasked(let e):
            // The same version whole, where only a masked copy was held (a personal grant given since).
            try put(e, from: e.vv == v.vv ? peer : nil, over: local, &run)
            return .applied
        case .merged(let e):
            try put(e, from: nil, over: local, &run)
            try keepConflictRows(e, over: local, policy: policy, from: peer)
            return .merged
        case .conflict(let stored, let loser):
            try put(stored, from: nil, over: local, &run)
            let manual = policy == .manual
            let row = try transaction.addConflict(record: v, policy: policy, winner: stored, loser: loser, settled: manual ? nil : policy.rawValue)
            if manual {
                // One open row per record awaiting review, as on every other node
                // (which may have met the losers in another order); earlier rows stay
                // as history, their losers still listed in the envelope.
                try transaction.closeConflicts(recordID: v.id, except: row, resolution: "still awaiting review: see conflict \(row)")
            }
            try transaction.audit(.conflict, "record \(v.id) (\(v.type)) from \(peer): \(policy.rawValue) kept \(stored.writer)'s version over \(loser.writer)'s")
            try keepConflictRows(stored, over: local, policy: policy, from: peer)
            return .conflict
        case .divergence(let stored, let local, let remote):
            if let stored {
                try put(stored, from: peer, over: local, &run)
                try keepConflictRows(stored, over: local, policy: policy, from: peer)
            }
            try transaction.audit(.divergence, "record \(v.id): equal version vectors \(local.vv) with different content from \(peer) (local \(local.hash.prefix(12)), remote \(remote.hash.prefix(12))); kept \(stored == nil ? "local" : "remote") by tie-break")
            return .divergence
        }
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
    mutating func keepConflictRows(_ e: Envelope, over local: Envelope?, policy: ConflictPolicy, from peer: String?) throws {
        let had = !(local?.conflicts.isEmpty ?? true), has = !e.conflicts.isEmpty
        if had && !has {
            // A version that lists no losers dominates them: settled where it was written.
            try transaction.closeConflicts(recordID: e.id, except: nil, resolution: e.writer == nodeID ? "superseded by a local write" : "resolved at \(e.writer)")
        } else if has, try transaction.openConflicts(recordID: e.id) == 0 {
            // Another node found a manual conflict: flag it here too, so every
            // node's operator sees the record awaits review.
            _ = try transaction.addConflict(record: e, policy: policy, winner: e, loser: local ?? e, settled: nil)
            try transaction.audit(.conflict, "record \(e.id) (\(e.type))\(peer.map { " from \($0)" } ?? "") awaits review: \(e.conflicts.count) losing version(s) listed")
        }
    }

    /// Versions stored exactly as a peer sent them are never sent back to it,
    /// so when the peer's push cursor stood at the end of the log and the batch
    /// stored nothing else, the cursor moves past the batch: the next push
    /// does not read through everything just received from that peer.
    mutating func skipPushCursor(peer: String, onlyFromPeer: Bool, from start: Int64, to end: Int64) throws {
        guard onlyFromPeer, end > start else { return }
        let push = try transaction.cursor(peer: peer, direction: .push)
        let epoch = transaction.epoch
        let atEnd = push.map { $0.epoch == epoch && $0.sequence == start } ?? (start == 0)
        if atEnd { try transaction.saveCursor(PeerCursor(peer: peer, direction: .push, epoch: epoch, sequence: end)) }
    }
}
