import Replication
import Standard

/// The node store, as the rest of Hutong uses it. One small protocol so the
/// embedded SQLite store and a PostgreSQL store are interchangeable; nothing
/// backend-specific appears here.
public protocol NodeStore: Sendable {
    /// This node's id, and the random id of its change log.
    var nodeID: String { get }
    var epoch: String { get }

    /// This node's id, epoch and change-log position.
    func info() throws -> StoreInfo

    /// A local write of a standard record (a captured change). Nil when the
    /// body is unchanged (no new version).
    func write(type: String, body: JSONValue) throws -> Envelope?
    /// Many local writes in one transaction (imports, capture). Nil entries
    /// made no new version.
    func write(_ records: [(type: String, body: JSONValue)]) throws -> [Envelope?]
    /// A local delete: a tombstone version. Nil when already deleted.
    func delete(id: String) throws -> Envelope?
    /// Keeps a record that could not be used, with the reason.
    func quarantine(source: String, text: String, reason: String) throws

    /// Applies batches of remote versions, in order, in one transaction, each
    /// together with its batch id and the cursor it advances (so a crash keeps
    /// all of them or none). A batch id seen before returns the stored result
    /// and changes nothing. One transaction for several pages of a pull writes
    /// each index page touched once instead of once per page.
    func apply(_ batches: [IncomingBatch]) throws -> [BatchResult]

    /// Applies what `next` gives, group after group, in one transaction, until
    /// it gives an empty group; the results in the same order. Lets a caller
    /// that receives pages faster than they are applied put many in one
    /// transaction (each random id dirties an index page, written once per
    /// transaction) without holding them all in memory first.
    func apply(from next: () throws -> [IncomingBatch]) throws -> [BatchResult]

    /// Current versions changed after `since`, in change order, leaving out those
    /// received from `excludingPeer`. `bodies` false leaves each body unparsed
    /// (`body` is `.null`, `bodyText` the stored text): enough to send a version
    /// on as it is, which is most of what serving a peer does.
    func changes(since: Int64, excludingPeer: String?, limit: Int, bodies: Bool) throws -> ChangeSet

    /// The versions `changes` reads, each one of a type `including` admits
    /// appended to `out` as its envelope line (`Envelope.line` and a newline),
    /// written from the stored text without parsing or copying it into
    /// envelopes: what serving a peer that gets versions as they are stored
    /// costs, per record sent.
    func changeLines(since: Int64, excludingPeer: String?, limit: Int, including: (String) -> Bool,
                     into out: inout [UInt8]) throws -> ChangeLines

    /// Every stored record, one at a time, each as its envelope or as why it
    /// cannot be read (`StoreError.corrupt`): what an integrity check walks
    /// without stopping at the first damaged row.
    func scanRecords(_ visit: (Result<Envelope, StoreError>) throws -> Void) throws

    func record(id: String) throws -> Envelope?
    func records(type: String?, after: String?, limit: Int) throws -> [Envelope]

    func cursor(peer: String, direction: CursorDirection) throws -> PeerCursor?
    func setCursor(_ cursor: PeerCursor) throws

    func conflicts(openOnly: Bool) throws -> [ConflictEntry]
    func conflict(id: Int64) throws -> ConflictEntry?
    /// Settles a conflict with a local write of `body` (or a deletion) that dominates both versions.
    func resolveConflict(id: Int64, body: JSONValue, deleted: Bool) throws -> Envelope

    func quarantine(limit: Int) throws -> [QuarantineEntry]

    /// Appends to the hash-chained audit log.
    func audit(kind: AuditKind, detail: String) throws
    func auditEntries(limit: Int) throws -> [AuditEntry]
    func verifyAudit() throws -> AuditVerification

    /// Removes tombstones that every peer's push cursor has passed. Returns how many.
    func purgeTombstones(peers: [String]) throws -> Int
}

extension NodeStore {
    /// A backend without a long transaction of its own: a transaction per group.
    public func apply(from next: () throws -> [IncomingBatch]) throws -> [BatchResult] {
        var results: [BatchResult] = []
        while case let batches = try next(), !batches.isEmpty { results += try apply(batches) }
        return results
    }

    /// One batch in its own transaction.
    public func apply(_ batch: IncomingBatch) throws -> BatchResult {
        try apply([batch])[0]
    }

    /// Lines made from envelopes: for a backend without a faster way.
    public func changeLines(since: Int64, excludingPeer: String?, limit: Int, including: (String) -> Bool,
                            into out: inout [UInt8]) throws -> ChangeLines {
        let c = try changes(since: since, excludingPeer: excludingPeer, limit: limit, bodies: false)
        var lines = 0
        for v in c.versions where including(v.type) {
            v.writeLine(into: &out)
            out.append(0x0A)
            lines += 1
        }
        return ChangeLines(lines: lines, scanned: c.versions.count, lastSequence: c.lastSequence)
    }

    /// Current versions changed after `since`, bodies parsed.
    public func changes(since: Int64, excludingPeer: String?, limit: Int) throws -> ChangeSet {
        try changes(since: since, excludingPeer: excludingPeer, limit: limit, bodies: true)
    }
}

public struct StoreInfo: Sendable, Equatable {
    public let nodeID: String
    /// Random id of this store's change log; a new one means "start over".
    public let epoch: String
    public let lastSequence: Int64
    public let recordsByType: [String: Int]
    public let tombstones: Int
    public let openConflicts: Int
    public let quarantined: Int
    public let cursors: [PeerCursor]
}

public enum CursorDirection: String, Sendable, CaseIterable {
    /// How far we have pulled the peer's change log (its epoch and sequence).
    case pull
    /// How far the peer has acknowledged our change log.
    case push
}

public struct PeerCursor: Sendable, Equatable {
    public let peer: String
    public let direction: CursorDirection
    public let epoch: String
    public let sequence: Int64
    /// The peer's grant (JSON) the cursor moved under; nil keeps the one recorded.
    public let grants: String?

    public init(peer: String, direction: CursorDirection, epoch: String, sequence: Int64, grants: String? = nil) {
        self.peer = peer; self.direction = direction; self.epoch = epoch; self.sequence = sequence; self.grants = grants
    }
}

/// Remote versions as received, already checked against the standard: the
/// valid ones in `versions`, the others in `rejected` with their reason (they
/// go to quarantine in the same transaction).
public struct IncomingBatch: Sendable {
    public let peer: String
    public let batchID: String?
    public let versions: [Envelope]
    public let rejected: [Rejected]
    /// Cursor to store with the batch (a pull advances our pull cursor for the peer).
    public let cursor: PeerCursor?

    public struct Rejected: Sendable, Equatable {
        public let text: String
        public let reason: String
        public init(text: String, reason: String) { self.text = text; self.reason = reason }
    }

    public init(peer: String, batchID: String?, versions: [Envelope], rejected: [Rejected] = [], cursor: PeerCursor? = nil) {
        self.peer = peer; self.batchID = batchID; self.versions = versions; self.rejected = rejected; self.cursor = cursor
    }
}

/// Per-record outcome of applying a remote version.
public enum RecordOutcome: String, Sendable, Equatable, CaseIterable {
    case applied
    case alreadyHad = "already-had"
    case merged
    case conflict
    case divergence
    case rejected
}

public struct BatchResult: Sendable, Equatable {
    public let outcomes: [RecordOutcome]
    /// True when the batch id had been applied before and nothing was done now.
    public let repeated: Bool
    /// Why versions were quarantined here, beyond the batch's own `rejected`
    /// (a clock too far ahead, a forged vector …); empty for a repeat.
    public var refused: [String] = []

    public init(outcomes: [RecordOutcome], repeated: Bool, refused: [String] = []) {
        self.outcomes = outcomes; self.repeated = repeated; self.refused = refused
    }

    public func count(_ o: RecordOutcome) -> Int { outcomes.filter { $0 == o }.count }
}

public struct ChangeSet: Sendable {
    public let versions: [Envelope]
    /// The last sequence looked at, even if nothing was sent for it.
    public let lastSequence: Int64
    public let epoch: String
}

/// What `changeLines` wrote and how far it read.
public struct ChangeLines: Sendable, Equatable {
    /// Lines written.
    public let lines: Int
    /// Versions looked at, written or not.
    public let scanned: Int
    /// The last sequence looked at, as `ChangeSet.lastSequence`.
    public let lastSequence: Int64

    public init(lines: Int, scanned: Int, lastSequence: Int64) {
        self.lines = lines; self.scanned = scanned; self.lastSequence = lastSequence
    }
}

public struct ConflictEntry: Sendable, Equatable {
    public let id: Int64
    public let recordID: String
    public let type: String
    public let policy: String
    public let winner: Envelope
    public let loser: Envelope
    public let detectedAt: String
    public let resolvedAt: String?
}

public struct QuarantineEntry: Sendable, Equatable {
    public let id: Int64
    public let source: String
    public let text: String
    public let reason: String
    public let at: String
}

public struct AuditEntry: Sendable, Equatable {
    public let sequence: Int64
    public let at: String
    public let kind: String
    public let detail: String
    public let hash: String
}

public enum AuditVerification: Sendable, Equatable {
    case intact(entries: Int)
    /// The first entry whose hash does not follow from its content and predecessor.
    case broken(atSequence: Int64, reason: String)
}

public enum StoreError: Error, CustomStringConvertible, Sendable {
    case alreadyInitialised(String)
    case notInitialised(String)
    case unknownType(String)
    case unknownRecord(String)
    case unknownConflict(Int64)
    case invalidRecord(String)
    case corrupt(String)

    public var description: String {
        switch self {
        case .alreadyInitialised(let p): "\(p) already holds a node store; a node id is never reused, so it is not overwritten"
        case .notInitialised(let p): "\(p) holds no node store; run `hutong init` first"
        case .unknownType(let t): "unknown record type \"\(t)\""
        case .unknownRecord(let id): "no record with id \(id)"
        case .unknownConflict(let id): "no conflict with id \(id)"
        case .invalidRecord(let why): why
        case .corrupt(let why): "the store is damaged: \(why)"
        }
    }
}
