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
}
