import Foundation

/// What the store remembers of one peer besides its cursors: how this node's
/// syncs with it went and when the peer last called, so that `hutong status`
/// and `--explain` can say why records are not arriving, also after a restart
/// and for nodes that only run `sync --once` from a timer.
public struct PeerContact: Sendable, Equatable {
    public let peer: String
    /// This node's last sync with the peer that succeeded.
    public var lastSync: Date?
    /// The last failure since then, when it happened, and when the failures began (nil: none).
    public var lastError: String?
    public var lastErrorAt: Date?
    public var failingSince: Date?
    /// The peer's last request here that passed its certificate check.
    public var lastCalled: Date?
    /// How far the peer had read this node's change log at its last pull here.
    public var pulledTo: Int64?

    public init(peer: String) { self.peer = peer }
}

/// The changes a peer still lacks: how many, up to a limit, and the oldest one's clock stamp.
public struct PendingChanges: Sendable, Equatable {
    public let count: Int
    /// Milliseconds since 1970 of the oldest change's hybrid clock (its writer's time).
    public let oldestMillis: UInt64?
    /// Whether there are more than `count` (the count stopped at its limit).
    public let more: Bool

    public init(count: Int, oldestMillis: UInt64?, more: Bool) { self.count = count; self.oldestMillis = oldestMillis; self.more = more }

    public static let none = PendingChanges(count: 0, oldestMillis: nil, more: false)
}
