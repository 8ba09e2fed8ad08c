public enum CursorDirection: String, Sendable, CaseIterable {
    /// How far we have pulled the peer's change log (its epoch and sequence).
    case pull
    /// How far the peer has acknowledged our change log.
    case push
}

public struct PeerCursor: Sendable, Equatable {
    public let peer: String
    public let direction: CursorDirection
    public let epoch: String
    public let sequence: Int64
    /// The peer's grant (JSON) the cursor moved under; nil keeps the one recorded.
    public let grants: String?

    public init(peer: String, direction: CursorDirection, epoch: String, sequence: Int64, grants: String? = nil) {
        self.peer = peer; self.direction = direction; self.epoch = epoch; self.sequence = sequence; self.grants = grants
    }
}
