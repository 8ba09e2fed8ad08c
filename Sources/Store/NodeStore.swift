/// The node store, as the rest of Hutong uses it: every role below, in one
/// store, so that the embedded SQLite store and a PostgreSQL store are
/// interchangeable. Code that needs only part of a store asks for that role
/// (the server: `ChangeLog & BatchSink & AuditLog`); nothing backend-specific
/// appears in any of them.
public protocol NodeStore: ChangeLog, BatchSink, LocalWriter, ReviewQueue, AuditLog, CaptureLedger, PeerLedger {
    /// Removes tombstones that every peer's push cursor has passed, up to
    /// sequence `upTo` (what every sink has written). Returns how many. A
    /// peer without a push cursor keeps them all.
    func purgeTombstones(peers: [String], upTo: Int64) throws -> Int
    /// Gives back the memory its caches hold (a daemon that has been idle a
    /// while calls it: a node at rest should not keep the page cache of its
    /// last busy hour). The next reads fill the caches again.
    func releaseMemory()
}
