import Store

/// Where bundles for a peer start: this node's push cursor for it, which only
/// the peer's acknowledgements move (as a successful push would). A bundle is
/// what a pull by the peer would get, so the grant it was made under is the
/// one recorded; once the grant widens, the next bundle starts from the
/// beginning, carrying what was left out before.
public enum BundleCursor {
    /// The sequence of this node's log after which the next bundle for `peer` starts.
    public static func start(_ store: any BatchSink, epoch: String, peer: PeerEntry) throws -> Int64 {
        guard let c = try store.cursor(peer: peer.name, direction: .push), c.epoch == epoch else { return 0 }
        if let text = c.grants, let old = PushGrants(text: text, grant: peer.grants), peer.grants.widens(old.grant, pulling: true) { return 0 }
        return c.sequence
    }

    /// The push cursor an acknowledgement from `peer` up to `sequence` sets.
    public static func acknowledged(peer: PeerEntry, epoch: String, sequence: Int64) -> PeerCursor {
        // What the peer accepts from us is not known over a file link: recorded as the grant itself.
        PeerCursor(peer: peer.name, direction: .push, epoch: epoch, sequence: sequence,
                   grants: PushGrants(grant: peer.grants, accepts: peer.grants).text)
    }
}
