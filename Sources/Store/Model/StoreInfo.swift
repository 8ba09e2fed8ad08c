public struct StoreInfo: Sendable, Equatable {
    public let nodeID: String
    /// Random id of this store's change log; a new one means "start over".
    public let epoch: String
    public let lastSequence: Int64
    public let recordsByType: [String: Int]
    public let tombstones: Int
    public let openConflicts: Int
    public let quarantined: Int
    public let cursors: [PeerCursor]
}
