import Replication

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
