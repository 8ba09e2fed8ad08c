/// What an audit entry records. The names are what `hutong audit list` shows
/// and operators search for, so they are fixed here once.
public enum AuditKind: String, Sendable, CaseIterable {
    case storeCreated = "store-created"
    /// A batch applied (pushed to us, pulled by us, or imported from an export file).
    case batchReceived = "batch-received"
    case batchSent = "batch-sent"
    /// A batch we already applied, sent again: answered as before, nothing changed.
    case batchRepeated = "batch-repeated"
    /// A batch refused whole (signature, age, format) or a caller that is no configured peer.
    case batchRefused = "batch-refused"
    /// A pull by a caller that is no configured peer.
    case pullRefused = "pull-refused"
    /// A pushed batch the store refused.
    case pushRefused = "push-refused"
    case conflict
    case conflictResolved = "conflict-resolved"
    /// Equal version vectors with different content: settled, and logged loudly.
    case divergence
    /// A cursor that starts over because the peer's grant was widened.
    case cursorReset = "cursor-reset"
    case syncFailed = "sync-failed"
    case configuration
    case tombstonesPurged = "tombstones-purged"
    /// Quarantined rows mapped again (`hutong quarantine retry`).
    case quarantineRetried = "quarantine-retried"
    /// Capture triggers installed in, or removed from, an agency's database.
    case captureInstalled = "capture-installed"
    case captureRemoved = "capture-removed"
    /// A bundle file written for a peer reached over a file link (`hutong bundle create`).
    case bundleCreated = "bundle-created"
    /// A bundle file applied, whole or in part.
    case bundleApplied = "bundle-applied"
    /// A bundle or acknowledgement file refused: forged, altered, misaddressed, from no configured peer, or applied before.
    case bundleRefused = "bundle-refused"
    /// A peer's acknowledgement of our bundles applied: its push cursor moved.
    case bundleAcknowledged = "bundle-acknowledged"
    /// A record withdrawn by hand (`hutong records delete`), with the reason given.
    case recordDeleted = "record-deleted"
}
