/// What the store keeps for capture from agency tables: which record each
/// source row became (a deleted row has no body left to derive its record's
/// id from), and how far each source is read, in the same transaction as the
/// records themselves.
public protocol CaptureLedger: Sendable {
    /// Stores `changes` in one transaction: the records (local writes), the
    /// rows' links, tombstones for deleted rows (and for a row whose record
    /// changed its natural key), and the source's position.
    func capture(_ changes: CapturedChanges) throws -> CaptureOutcome
    /// One source's state; nil when it was never read.
    func sourceState(_ source: String) throws -> SourceState?
    /// Notes a read of the source that ended: at its end (`error` nil) or with `error`.
    func noteSourceRun(_ source: String, error: String?) throws
    /// The content hashes a scan stored for the rows `keys` (rows never
    /// linked, or linked by triggers, are left out).
    func rowHashes(source: String, keys: [String]) throws -> [String: Int64]
    /// Every row key of the source linked to a record: what a full scan
    /// that no longer finds one of them takes as deleted.
    func sourceKeys(source: String) throws -> [String]
    /// How far a sink has written the change log into its agency's tables (0: not yet).
    func sinkPosition(_ sink: String) throws -> Int64
    /// Saved after the agency's transaction committed: a kill before it writes the page again, harmlessly.
    func saveSinkPosition(_ sink: String, sequence: Int64) throws
    /// Forgets the source's position (not its rows' links): the next read starts with a snapshot.
    func resetSource(_ source: String) throws
}
