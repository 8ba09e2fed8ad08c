import Replication

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
