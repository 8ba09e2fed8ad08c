/// The append-only, hash-chained record of what the node did and refused.
public protocol AuditLog: Sendable {
    /// Appends an entry chained to the one before.
    func audit(kind: AuditKind, detail: String) throws
    func auditEntries(limit: Int) throws -> [AuditEntry]
    func verifyAudit() throws -> AuditVerification
}
