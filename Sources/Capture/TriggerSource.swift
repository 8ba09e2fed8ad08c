import Foundation
import Normalise

/// An agency table captured by triggers (`OutboxTable`, SQLite or
/// PostgreSQL): first a snapshot of the rows already there, in pages by key,
/// then the outbox the triggers fill, in order. Every item is the row as it
/// is now (read when its note is read), so a snapshot page and a note of the
/// same row agree, and reading one twice stores nothing new.
///
/// Where the position is kept, and why that is safe:
/// - The snapshot's position (the last key of a page) is stored in the node
///   store in the transaction that stores the page's records (`CaptureLedger`),
///   so a killed snapshot resumes after the last page stored, never before
///   or after it.
/// - The outbox's notes are deleted from the agency's database only after the
///   transaction that stored their rows committed (`acknowledge`). A kill
///   between the two leaves the notes; the next run reads them again, and
///   their rows, unchanged, make no new version. Nothing is skipped, and no
///   note stays: every run starts at the outbox's first note.
public final class TriggerSource: RecordSource {
    public let sourceName: String
    public let table: any OutboxTable
    public let mapping: Mapping
    private var phase: Phase
    /// Notes read in this run and not yet cleared, by batch.
    private var taken: [Int64: [Int64]] = [:]
    private var takenSeqs = Set<Int64>()
    private var batches: Int64 = 0
    private var mapper: RowMapper?
    private let columns: SourceColumns
    static let pageSize = 1_000
    /// Whether the last read found no note; and how many notes were cleared
    /// since the outbox was last tidied, which it is once drained after this many.
    private var drained = false
    private var clearedSinceTidy = 0
    static let tidyAfter = 10_000

    enum Phase: Equatable {
        case snapshot(after: String?)
        case outbox
    }

    /// - Parameter position: the source's position as the store keeps it (nil: never read, a snapshot starts).
    /// - Throws: `CaptureError` when the triggers are missing or the table lacks a column the mapping reads.
    public init(name: String, table: any OutboxTable, mapping: Mapping, position: String?) throws(CaptureError) {
        sourceName = name
        self.table = table
        self.mapping = mapping
        columns = SourceColumns(table.columns)
        try table.check(mapping, source: name)
        let installed: Bool
        do { installed = try table.isInstalled() } catch { throw CaptureError("source \(name): cannot read \(table.origin): \(error)") }
        guard installed else {
            throw CaptureError("source \(name): the capture triggers on \(table.table) in \(table.origin) are not installed; run `hutong capture install \(name)` (or give its DBA the SQL of `hutong capture install \(name) --print`)")
        }
        phase = try Self.phase(position, source: name)
    }

    public var name: String { "capture \(sourceName) (\(table.origin))" }
    public var mappingFile: String? { mapping.file }

    public var recordType: String? { mapping.recordType }
    public var ledger: String? { sourceName }
    public var finisher: (any ItemFinisher)? { mapper ?? RowMapper(mapping, lanes: 1) }

    public func next() throws -> CapturedBatch? {
        let batch: CapturedBatch?
        switch phase {
        case .snapshot(let after): batch = try snapshotPage(after: after)
        case .outbox: batch = try outboxPage()
        }
        // A copy of the mapping for every core, whatever the first batch's
        // size: a source that is followed reads small batches and large ones.
        if batch != nil, mapper == nil { mapper = RowMapper(mapping, lanes: ProcessInfo.processInfo.activeProcessorCount) }
        return batch
    }

    public func acknowledge(_ position: SourcePosition) throws {
        guard position.checkpoint == Self.outboxPosition else { return }
        let done = taken.keys.filter { $0 <= position.value }.sorted()
        let seqs = done.flatMap { taken[$0]! }
        guard !seqs.isEmpty else { return }
        try table.clear(seqs)
        for b in done { taken[b] = nil }
        takenSeqs.subtract(seqs)
        clearedSinceTidy += seqs.count
        if drained, taken.isEmpty, clearedSinceTidy >= Self.tidyAfter {
            // An optimisation: a failure leaves reads slower, nothing lost.
            try? table.tidy()
            clearedSinceTidy = 0
        }
    }

    // MARK: Reading

    /// One page of the snapshot; the page after the last (short) one moves to the outbox.
    private func snapshotPage(after: String?) throws -> CapturedBatch {
        var items: [CapturedItem] = []
        if after == nil {
            // Rows without a key cannot be followed; they are named, not skipped.
            let count = try table.keylessRows()
            if count > 0 { items.append(table.keylessItem(count)) }
        }
        let (rows, last) = try table.page(after: after, limit: Self.pageSize)
        items += rows.map { table.item($0, columns: columns) }
        if rows.count < Self.pageSize || last == nil {
            phase = .outbox
            return CapturedBatch(items: items, position: SourcePosition(0, checkpoint: Self.outboxPosition))
        }
        phase = .snapshot(after: last)
        return CapturedBatch(items: items, position: SourcePosition(0, checkpoint: Self.snapshotPrefix + last!, snapshot: true))
    }

    /// The next notes of the outbox, each key once, as the rows are now; a
    /// key whose row is gone is a deletion. Nil when no note waits.
    private func outboxPage() throws -> CapturedBatch? {
        let notes = try table.notes(limit: Self.pageSize, excluding: takenSeqs)
        drained = notes.isEmpty
        guard !notes.isEmpty else { return nil }
        var keys: [String] = []
        var seen = Set<String>()
        var keyless = 0
        for note in notes {
            guard let key = note.key else { keyless += 1; continue }
            if seen.insert(key).inserted { keys.append(key) }
        }
        var found: [String: TableRow] = [:]
        for row in try table.rows(keys: keys) { found[row.key] = row }
        var items: [CapturedItem] = keys.map { key in
            found[key].map { table.item($0, columns: columns) } ?? CapturedItem(content: .deleted, reference: table.reference(key), key: key)
        }
        if keyless > 0 { items.append(table.keylessItem(keyless)) }
        batches += 1
        let seqs = notes.map(\.seq)
        taken[batches] = seqs
        takenSeqs.formUnion(seqs)
        return CapturedBatch(items: items, position: SourcePosition(batches, checkpoint: Self.outboxPosition))
    }

    // MARK: Positions

    static let outboxPosition = "outbox"
    static let snapshotPrefix = "snapshot after "

    static func phase(_ position: String?, source: String) throws(CaptureError) -> Phase {
        guard let position, position != "snapshot" else { return .snapshot(after: nil) }
        if position == outboxPosition { return .outbox }
        guard position.hasPrefix(snapshotPrefix) else {
            throw CaptureError("source \(source): the store's position \"\(position)\" is not one this version knows; `hutong capture install \(source)` after `uninstall` starts it again")
        }
        return .snapshot(after: String(position.dropFirst(snapshotPrefix.count)))
    }
}
