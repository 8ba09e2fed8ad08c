import Replication
import Standard
import JSON

/// What waits for an operator: conflicts and quarantined records.
public protocol ReviewQueue: Sendable {
    func conflicts(openOnly: Bool) throws -> [ConflictEntry]
    func conflict(id: Int64) throws -> ConflictEntry?
    /// Settles a conflict with a local write of `body` (or a deletion) that dominates both versions.
    func resolveConflict(id: Int64, body: JSONValue, deleted: Bool) throws -> Envelope

    func quarantine(limit: Int) throws -> [QuarantineEntry]
    /// Rows quarantined by a mapping (that one's file, or any), oldest first, after `id`.
    func mappedQuarantine(mapping: String?, after id: Int64, limit: Int) throws -> [QuarantineEntry]
    /// Retried entries, in one transaction: each removed when its
    /// `stillFailing` is nil (the row is now stored), else kept with the new
    /// reason and one more attempt.
    func settleQuarantine(_ outcomes: [(id: Int64, stillFailing: String?)]) throws
}
