import Dispatch
import Normalise

/// An agency table as the engine it lives in reads it (`SQLiteCaptureTable`,
/// `PostgresCaptureTable`), without altering it: pages of rows by key, rows
/// by key. What a read-only scan needs (`ScanSource`), and a snapshot.
public protocol SourceTable: Sendable {
    /// "DATABASE#TABLE", for messages, quarantine and reports.
    var origin: String { get }
    var table: String { get }
    var keyColumn: String { get }
    /// The table's columns, in the order `TableRow.values` holds them.
    var columns: [String] { get }

    /// Up to `limit` rows whose key follows `after` (a cursor from an earlier
    /// page; nil: the first page), in key order, and the cursor after the
    /// last. With `since`, only rows whose watermark column is at or after
    /// the value (a cursor from `latest`).
    func page(after: String?, limit: Int, since: Watermark?) throws -> (rows: [TableRow], last: String?)
    /// How many rows have no key value (they cannot be followed).
    func keylessRows() throws -> Int
    /// The rows of `keys` as they are now; a key without a row is left out.
    func rows(keys: [String]) throws -> [TableRow]
    /// The highest value of `column` now, as a cursor for `page(since:)`; nil for an empty table.
    func latest(_ column: String) throws -> String?
    /// What tells a following capture to read now; nil where only polling can.
    func changeSignal(wake: DispatchSemaphore) throws -> (any ChangeSignal)?
}

extension SourceTable {
    public func page(after: String?, limit: Int) throws -> (rows: [TableRow], last: String?) {
        try page(after: after, limit: limit, since: nil)
    }
}

/// A watermark column (`UPDATE_TIME`) and the value a scan reads from.
public struct Watermark: Sendable, Equatable {
    public let column: String
    public let from: String

    public init(column: String, from: String) {
        self.column = column
        self.from = from
    }
}

/// An agency table captured by triggers: a `SourceTable` with the outbox's
/// notes in the order they may be taken, and the deletion of notes once
/// stored. Everything that does not depend on the engine is in `TriggerSource`.
public protocol OutboxTable: SourceTable {

    /// The SQL that installs the outbox and triggers, and the SQL that removes them, for a DBA to read.
    var installSQL: String { get }
    var uninstallSQL: String { get }
    /// Installs (or re-installs) them; returns whether they were there already.
    @discardableResult func install() throws -> Bool
    func uninstall() throws
    /// Whether the triggers are in place.
    func isInstalled() throws -> Bool
    /// Up to `limit` notes that may be taken now, in order, leaving out `taken`
    /// (read but not yet cleared).
    func notes(limit: Int, excluding taken: Set<Int64>) throws -> [OutboxNote]
    /// Deletes the notes `seqs` (by their sequence, never by key: a note
    /// written for the same key meanwhile must stay).
    func clear(_ seqs: [Int64]) throws
    /// Gives back the space of many notes cleared, once the outbox is
    /// drained, where reads would otherwise step over them.
    func tidy() throws
    /// Notes waiting for this table; nil when there is no outbox.
    func backlog() throws -> Int?
    /// Whether any note waits (cheaper than counting them: asked after every wake-up).
    func hasNotes() throws -> Bool
}

extension OutboxTable {
    public func hasNotes() throws -> Bool { try backlog() ?? 0 > 0 }
}

/// One row of an agency table: its key as text, and its values.
public struct TableRow: Sendable {
    public let key: String
    public let values: [RowValue]

    public init(key: String, values: [RowValue]) {
        self.key = key
        self.values = values
    }
}

/// A note a trigger wrote: which row changed (its key; nil for a row without one).
public struct OutboxNote: Sendable {
    public let seq: Int64
    public let key: String?

    public init(seq: Int64, key: String?) {
        self.seq = seq
        self.key = key
    }
}
