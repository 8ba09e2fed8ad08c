import Replication

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
