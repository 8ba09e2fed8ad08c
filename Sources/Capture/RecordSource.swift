import JSON
import Normalise

/// Where records enter a node: a file given to `hutong import` today; a
/// directory inbox, an agency database's outbox or a read-only scan are more
/// sources behind the same protocol. A source yields its items in order, each
/// naming where it came from, and is told when the items up to a position are
/// stored or quarantined, so that it can let them go (a file: nothing to do;
/// an outbox: delete its rows). What was not acknowledged is yielded again
/// after a restart: the store makes a repeat harmless.
public protocol RecordSource {
    /// How quarantine entries and reports name this source ("import penalties.ndjson").
    var name: String { get }
    /// The next items in order, or nil when the source has no more now.
    mutating func next() throws -> CapturedBatch?
    /// Everything up to and including `position` is stored or quarantined.
    mutating func acknowledge(_ position: SourcePosition) throws
    /// The mapping file rows are read through, kept with what goes to quarantine; nil for standard records.
    var mappingFile: String? { get }
    /// The record type the source's rows become (its mapping's); nil for standard records, which name their own.
    var recordType: String? { get }
    /// What turns the source's `.row` items into records, on the intake's
    /// cores; nil for a source that yields records.
    var finisher: (any ItemFinisher)? { get }
    /// For an agency table: the name its rows are linked to records under
    /// (`CaptureLedger`), so that a deleted row's record can be found; its
    /// items carry their row's key and its positions a checkpoint. Nil for files.
    var ledger: String? { get }
}

extension RecordSource {
    public var mappingFile: String? { nil }
    public var recordType: String? { nil }
    public var finisher: (any ItemFinisher)? { nil }
    public var ledger: String? { nil }
}

/// Per-item work a source leaves to the intake's cores: a mapped source's
/// rows are mapped there, so that each row is mapped and checked by one core
/// (a row handed from core to core costs a cache miss on each of its values),
/// while the source's own thread only reads.
public protocol ItemFinisher: Sendable {
    /// `item` finished. `lane`: which of the intake's cores asks, 0 up; calls
    /// with different lanes come at the same time.
    func finish(_ item: CapturedItem, lane: Int) -> CapturedItem
}

/// Items a source yields together, and the position that acknowledges them.
public struct CapturedBatch: Sendable {
    public let items: [CapturedItem]
    public let position: SourcePosition

    public init(items: [CapturedItem], position: SourcePosition) {
        self.items = items
        self.position = position
    }
}

/// One item as a source yields it.
public struct CapturedItem: Sendable {
    public enum Content: Sendable {
        /// The text of a JSON record: a standard record, or a line of an exported batch.
        case json(ArraySlice<UInt8>)
        /// A row of an agency's table or file, not yet mapped (the source's `finisher` maps it).
        case row(SourceRow)
        /// A row of an agency's table or file, mapped to a standard record (not yet
        /// validated); the row is written out as text only if it goes to quarantine.
        case mapped(JSONValue, row: SourceRow)
        /// A row that could not be read or mapped: its text (a JSON object of
        /// its columns where it was read) and why.
        case unusable(row: String, reason: String)
        /// A row deleted from an agency table (its `key` says which).
        case deleted
    }

    public let content: Content
    /// Where it came from, for messages and quarantine.
    public let reference: SourceReference
    /// The row's key in an agency table (a `ledger` source); nil for files.
    public let key: String?
    /// For a scanned table: the hash of the row's content, stored with its
    /// link so that the next scan knows the row unchanged (`ScanSource`).
    public let rowHash: Int64?

    public init(content: Content, reference: SourceReference, key: String? = nil, rowHash: Int64? = nil) {
        self.content = content
        self.reference = reference
        self.key = key
        self.rowHash = rowHash
    }

    public init(json: ArraySlice<UInt8>, reference: SourceReference) {
        self.init(content: .json(json), reference: reference)
    }
}

/// Where an item came from: the file and line, the table and primary key.
public struct SourceReference: Sendable, CustomStringConvertible {
    /// A file's path, a table's name.
    public let origin: String
    /// A line number, a primary key.
    public let location: String

    public init(origin: String, location: String) {
        self.origin = origin
        self.location = location
    }

    public var description: String { "\(origin):\(location)" }
}

/// How far a source's items are taken: an item count, an outbox sequence.
public struct SourcePosition: Sendable, Comparable, Hashable {
    public let value: Int64
    /// For a `ledger` source: the text the store keeps as the source's
    /// position, in the transaction that stores the items up to here.
    public let checkpoint: String?
    /// Whether the position is inside a snapshot (a first reading of every
    /// row of a table, not the last page): see `CapturedChanges.snapshot`.
    public let snapshot: Bool
    public init(_ value: Int64, checkpoint: String? = nil, snapshot: Bool = false) {
        self.value = value
        self.checkpoint = checkpoint
        self.snapshot = snapshot
    }
    public static func < (a: SourcePosition, b: SourcePosition) -> Bool { a.value < b.value }
}
