/// What the store keeps of each peer for operators: how syncs with it went,
/// when it last called, and what it still lacks of this node's change log.
public protocol PeerLedger: Sendable {
    /// Notes a sync with `peer` that ended: well (`error` nil) or with `error`.
    func noteSync(peer: String, error: String?) throws
    /// Notes a request from `peer`; `pulledTo`: the position its pull started after, when it asked for this log.
    func noteCall(peer: String, pulledTo: Int64?) throws
    /// Every peer the store has notes of.
    func peerContacts() throws -> [PeerContact]
    /// Changes after `sequence` that `peer` lacks (its own versions left out),
    /// of `type` only when given, counted up to `limit`.
    func pendingChanges(for peer: String, after sequence: Int64, type: String?, limit: Int) throws -> PendingChanges
}
