import Replication
import Standard
import JSON

/// This node's own writes: captured or imported records, deletions, and what
/// could not be used.
public protocol LocalWriter: Sendable {
    /// A local write of a standard record (a captured change). Nil when the
    /// body is unchanged (no new version).
    func write(type: String, body: JSONValue) throws -> Envelope?
    /// Many local writes in one transaction (imports, capture). Nil entries
    /// made no new version.
    func write(_ records: [(type: String, body: JSONValue)]) throws -> [Envelope?]
    /// Many local writes of records made ready beforehand (`LocalRecord`), in one transaction.
    func write(_ records: [LocalRecord]) throws -> [Envelope?]
    /// A local delete: a tombstone version. Nil when already deleted. With
    /// a `reason` (a withdrawal by hand), an audit entry says who deleted what and why, in the same transaction.
    func delete(id: String, reason: String?) throws -> Envelope?
    /// Keeps what could not be used, with the reasons, in one transaction.
    func quarantine(_ rows: [QuarantinedRow]) throws
    /// Where the rows of `mapping` now in quarantine were read (`QuarantinedRow.place`).
    func quarantinedPlaces(mapping: String) throws -> Set<String>
    /// Removes the quarantine entries of `mapping`'s rows at `places`: read
    /// again from there (the source fixed) and stored, they wait for nothing.
    func clearQuarantine(mapping: String, places: [String]) throws
}

extension LocalWriter {
    public func delete(id: String) throws -> Envelope? { try delete(id: id, reason: nil) }
}
