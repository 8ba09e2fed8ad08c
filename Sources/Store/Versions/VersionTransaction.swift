import Replication
import Standard

/// A store's write transaction as writing versions sees it: primitives only.
/// What an outcome of the merge rules means (stored rows, conflict rows, the
/// audit line, quarantine, cursors) is written once above it, in
/// `VersionWriter`; a backend implements these inside its transaction and
/// keeps nothing of the domain.
public protocol VersionTransaction {
    var nodeID: String { get }
    var epoch: String { get }
    /// The change log's last sequence, counting this transaction's writes.
    var lastSequence: Int64 { get }
    /// This node's clock, as this transaction moves it.
    var clock: HybridLogicalClock { get set }

    /// The stored versions of `ids`, by id (absent ones left out); bodies need not be parsed.
    func versions(ids: [String]) throws -> [String: Envelope]
    func version(id: String) throws -> Envelope?
    /// Stores `e` as the record's current version with the next sequence,
    /// noting `fromPeer` when it is stored exactly as that peer sent it.
    /// `replacing` false promises the record is new; if it is not, this
    /// throws `RepeatedInBatch` and changes nothing.
    mutating func put(_ e: Envelope, fromPeer: String?, replacing: Bool) throws
    /// Whether `put` of a record stored before the transaction, promised new,
    /// throws `RepeatedInBatch` there and then. A backend that sends its
    /// inserts later cannot tell, and has every batch's records looked up first.
    var catchesRepeatedInserts: Bool { get }

    /// Adds a row to the conflicts table; `settled` is the resolution of a
    /// conflict its policy settled (nil: open, awaiting review). Returns its id.
    mutating func addConflict(record: Envelope, policy: ConflictPolicy, winner: Envelope, loser: Envelope, settled: String?) throws -> Int64
    /// How many conflict rows of a record are open.
    func openConflicts(recordID: String) throws -> Int
    /// Closes a record's open conflict rows (all but `except`) with `resolution`.
    mutating func closeConflicts(recordID: String, except: Int64?, resolution: String) throws
    /// The conflict row `id`.
    func conflict(id: Int64) throws -> ConflictEntry?

    mutating func quarantine(source: String, text: String, reason: String) throws
    mutating func audit(_ kind: AuditKind, _ detail: String) throws

    func cursor(peer: String, direction: CursorDirection) throws -> PeerCursor?
    mutating func saveCursor(_ cursor: PeerCursor) throws
    /// The outcomes a batch id was applied with, if it was.
    func appliedBatch(id: String) throws -> [RecordOutcome]?
    mutating func rememberBatch(id: String, peer: String, outcomes: [RecordOutcome]) throws

    /// The records that rows of a capture source became, by row key (unlinked keys left out).
    func sourceLinks(source: String, keys: [String]) throws -> [String: String]
    /// Links (or unlinks, `recordID` nil) a source row to the record it
    /// became; `rowHash`: the row's content as a scan saw it (nil for triggers).
    mutating func link(source: String, key: String, recordID: String?, rowHash: Int64?) throws
    /// Whether any source row is linked to the record. Asked only while the
    /// links are indexed by record.
    func isLinked(recordID: String) throws -> Bool
    /// Whether any source has a row linked.
    func hasLinks() throws -> Bool
    /// Makes (or drops) the index of links by record, where it is not (or is) there already.
    mutating func indexLinksByRecord(_ indexed: Bool) throws
    mutating func saveSourcePosition(source: String, position: String) throws
}

extension VersionTransaction {
    public var catchesRepeatedInserts: Bool { true }
}

/// An insert met a record already stored although none was known: the batch
/// holds its id twice, or its records were not looked up first.
public struct RepeatedInBatch: Error, CustomStringConvertible {
    public let id: String
    public init(id: String) { self.id = id }
    public var description: String { "record \(id) is stored already and could not be read back" }
}
