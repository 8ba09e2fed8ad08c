import Replication

/// What one transaction takes from an agency table (a capture source): the
/// records its rows became, the rows' keys, the keys of rows that are gone,
/// and how far the source is read. Stored together, so that the source's
/// position never runs ahead of (or behind) what it yielded.
public struct CapturedChanges: Sendable {
    /// The source's name (`[[sources]] name`).
    public let source: String
    /// In the order read: a row's key and the record it became, or nil for
    /// a row deleted at the source (its record becomes a tombstone).
    public var rows: [(key: String, record: LocalRecord?)] = []
    /// For a scanned source: the hash of each row's content as read, kept
    /// with its link so that the next scan passes over it while it is unchanged.
    public var rowHashes: [String: Int64] = [:]
    /// The source's position after these changes (its own text), kept with them; nil: unchanged.
    public var position: String?
    /// Whether these are a snapshot's rows, read in key order, with more
    /// pages to come: the store may put off indexing their links by record
    /// until the snapshot ends (`VersionWriter.capture`).
    public var snapshot = false

    public init(source: String) { self.source = source }

    public var isEmpty: Bool { rows.isEmpty && position == nil }
}

/// What storing `CapturedChanges` did.
public struct CaptureOutcome: Sendable {
    /// For each row that became a record, its new version; nil when its content was unchanged.
    public var written: [Envelope?] = []
    /// Records that became tombstones: their row was deleted, or its natural key changed.
    public var tombstones: [Envelope] = []

    public init() {}
}
