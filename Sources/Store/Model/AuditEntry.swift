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
