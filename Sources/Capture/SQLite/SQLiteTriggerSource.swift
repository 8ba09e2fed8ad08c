import Foundation
import GRDB
import Normalise

/// An agency's SQLite table captured by triggers (`SQLiteCaptureTable`):
/// first a snapshot of the rows already there, in pages by key, then the
/// outbox the triggers fill, in order. Every item is the row as it is now
/// (read when its note is read), so a snapshot page and a note of the same
/// row agree, and reading one twice stores nothing new.
///
/// Where the position is kept, and why that is safe:
/// - The snapshot's position (the last key of a page) is stored in the node
///   store in the transaction that stores the page's records (`CaptureLedger`),
///   so a killed snapshot resumes after the last page stored, never before
///   or after it.
/// - The outbox's notes are deleted from the agency's database only after the
///   transaction that stored their rows committed (`acknowledge`). A kill
///   between the two leaves the notes; the next run reads them again, and
///   their rows, unchanged, make no new version. Nothing is skipped, and a
///   note never stays: every run starts at the outbox's first note.
public final class SQLiteTriggerSource: RecordSource {
    public let sourceName: String
    public let table: SQLiteCaptureTable
    public let mapping: Mapping
    private let queue: DatabaseQueue
    private var phase: Phase
    /// The last outbox note read in this run (notes are deleted once stored).
    private var outboxAfter: Int64 = 0
    private var mapper: RowMapper?
    /// Rows yielded in this run.
    public private(set) var rowsRead = 0
    static let pageSize = 1_000

    enum Phase: Equatable {
        case snapshot(after: DatabaseValue?)
        case outbox
    }

    /// - Parameter position: the source's position as the store keeps it (nil: never read, a snapshot starts).
    /// - Throws: `CaptureError` when the triggers are missing or the table lacks a column the mapping reads.
    public init(name: String, table: SQLiteCaptureTable, mapping: Mapping, position: String?) throws(CaptureError) {
        sourceName = name
        self.table = table
        self.mapping = mapping
        let missing = mapping.columns.keys.filter { !table.columns.contains($0) }.sorted()
        guard missing.isEmpty else {
            throw CaptureError("source \(name): table \(table.table) in \(table.path) lacks column\(missing.count == 1 ? "" : "s") the mapping reads: "
                + missing.map { "\($0) (\(mapping.file):\(mapping.columns[$0]!))\(didYouMean($0, in: table.columns))" }.joined(separator: "; "))
        }
        do {
            queue = try SQLiteCaptureTable.connect(table.path, readonly: false)
            guard try queue.read({ db in try SQLiteCaptureTable.installed(db, table.triggerNames) }) else {
                throw CaptureError("source \(name): the capture triggers on \(table.table) in \(table.path) are not installed; run `hutong capture install \(name)` (or give its DBA the SQL of `hutong capture install \(name) --print`)")
            }
        } catch let e as CaptureError {
            throw e
        } catch {
            throw CaptureError("source \(name): cannot open \(table.path): \(error)")
        }
        phase = try Self.phase(position, source: name)
    }

    public var name: String { "capture \(sourceName) (\(table.path)#\(table.table))" }
    public var mappingFile: String? { mapping.file }
    public var ledger: String? { sourceName }
    public var finisher: (any ItemFinisher)? { mapper ?? RowMapper(mapping, lanes: 1) }
    /// Whether the snapshot is done (the outbox is read).
    public var snapshotDone: Bool { phase == .outbox }

    public func next() throws -> CapturedBatch? {
        let batch: CapturedBatch?
        switch phase {
        case .snapshot(let after): batch = try snapshotPage(after: after)
        case .outbox: batch = try outboxPage()
        }
        if let batch {
            rowsRead += batch.items.count
            if mapper == nil { mapper = RowMapper(mapping, lanes: batch.items.count >= 2 * Lanes.smallest ? ProcessInfo.processInfo.activeProcessorCount : 1) }
        }
        return batch
    }

    public func acknowledge(_ position: SourcePosition) throws {
        guard position.checkpoint == Self.outboxPosition, position.value > 0 else { return }
        try queue.write { db in
            try db.execute(sql: "DELETE FROM \(SQLiteCaptureTable.outbox) WHERE tbl = ? AND seq <= ?", arguments: [table.table, position.value])
        }
    }

    // MARK: Reading

    private var quotedTable: String { SQLiteCaptureTable.quoted(table.table) }
    private var quotedKey: String { SQLiteCaptureTable.quoted(table.keyColumn) }

    /// One page of the snapshot; the page after the last (short) one moves to the outbox.
    private func snapshotPage(after: DatabaseValue?) throws -> CapturedBatch {
        var items: [CapturedItem] = []
        let rows = try queue.read { db -> [Row] in
            if after == nil {
                // Rows without a key cannot be followed; they are named, not skipped.
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(quotedTable) WHERE \(quotedKey) IS NULL") ?? 0
                if count > 0 { items.append(keyless(count)) }
            }
            let sql = "SELECT * FROM \(quotedTable) WHERE \(quotedKey) \(after == nil ? "IS NOT NULL" : "> ?") ORDER BY \(quotedKey) LIMIT \(Self.pageSize)"
            return try Row.fetchAll(db, sql: sql, arguments: after.map { [$0] } ?? [])
        }
        items += rows.map(item)
        let position: String
        if rows.count < Self.pageSize {
            phase = .outbox
            position = Self.outboxPosition
        } else {
            let last = rows.last![table.keyColumn] as DatabaseValue
            phase = .snapshot(after: last)
            position = Self.snapshotPosition(after: last)
        }
        return CapturedBatch(items: items, position: SourcePosition(0, checkpoint: position))
    }

    /// The next notes of the outbox, each key once, as the rows are now; a
    /// key whose row is gone is a deletion. Nil when no note waits.
    private func outboxPage() throws -> CapturedBatch? {
        let (notes, rows) = try queue.read { db -> ([Row], [Row]) in
            let notes = try Row.fetchAll(db, sql: "SELECT seq, pk FROM \(SQLiteCaptureTable.outbox) WHERE tbl = ? AND seq > ? ORDER BY seq LIMIT \(Self.pageSize)",
                                         arguments: [table.table, outboxAfter])
            var keys: [DatabaseValue] = []
            var seen = Set<DatabaseValue>()
            for n in notes { if let k = n["pk"] as DatabaseValue?, !k.isNull, seen.insert(k).inserted { keys.append(k) } }
            var rows: [Row] = []
            // In pieces: old SQLite allows 999 parameters a statement.
            for start in stride(from: 0, to: keys.count, by: 500) {
                let piece = Array(keys[start..<min(keys.count, start + 500)])
                let marks = Array(repeating: "?", count: piece.count).joined(separator: ", ")
                rows += try Row.fetchAll(db, sql: "SELECT * FROM \(quotedTable) WHERE \(quotedKey) IN (\(marks))", arguments: StatementArguments(piece))
            }
            return (notes, rows)
        }
        guard let lastSeq = notes.last?["seq"] as Int64? else { return nil }
        outboxAfter = lastSeq
        var found: [String: Row] = [:]
        for row in rows { found[Self.keyText(row[table.keyColumn])] = row }
        var items: [CapturedItem] = []
        var done = Set<String>()
        var keyless = 0
        for note in notes {
            let value = note["pk"] as DatabaseValue
            if value.isNull { keyless += 1; continue }
            let key = Self.keyText(value)
            guard done.insert(key).inserted else { continue }
            if let row = found[key] {
                items.append(item(row))
            } else {
                items.append(CapturedItem(content: .deleted, reference: reference(key), key: key))
            }
        }
        if keyless > 0 { items.append(self.keyless(keyless)) }
        return CapturedBatch(items: items, position: SourcePosition(lastSeq, checkpoint: Self.outboxPosition))
    }

    private func item(_ row: Row) -> CapturedItem {
        let key = Self.keyText(row[table.keyColumn])
        let names = Array(row.columnNames)
        let columns = names == table.columns ? sharedColumns : SourceColumns(names)
        var values: [RowValue] = []
        values.reserveCapacity(row.count)
        for i in 0..<row.count { values.append(SQLiteTableRows.value(row[i] as DatabaseValue)) }
        let reference = reference(key)
        return CapturedItem(content: .row(SourceRow(columns: columns, values: values, origin: reference.origin, location: reference.location)),
                            reference: reference, key: key)
    }

    private lazy var sharedColumns = SourceColumns(table.columns)

    private func reference(_ key: String) -> SourceReference {
        SourceReference(origin: "\(table.path)#\(table.table)", location: "\(table.keyColumn) \(key)")
    }

    private func keyless(_ count: Int) -> CapturedItem {
        CapturedItem(content: .unusable(row: "{}", reason: "\(count) row\(count == 1 ? "" : "s") of \(table.table) with no \(table.keyColumn): a row without a key cannot be followed; give \(count == 1 ? "it" : "each") a key, or name another key column with key = \"…\""),
                     reference: SourceReference(origin: "\(table.path)#\(table.table)", location: "\(table.keyColumn) NULL"))
    }

    // MARK: Positions and keys

    static let outboxPosition = "outbox"

    /// "snapshot after KEY", the key with its type (i: integer, r: real, t: text, b: hex blob).
    static func snapshotPosition(after key: DatabaseValue) -> String {
        switch key.storage {
        case .int64(let n): "snapshot after i:\(n)"
        case .double(let d): "snapshot after r:\(d)"
        case .string(let s): "snapshot after t:\(s)"
        case .blob(let b): "snapshot after b:" + b.map { String(format: "%02x", $0) }.joined()
        case .null: "snapshot"
        }
    }

    static func phase(_ position: String?, source: String) throws(CaptureError) -> Phase {
        guard let position, position != "snapshot" else { return .snapshot(after: nil) }
        if position == outboxPosition { return .outbox }
        let prefix = "snapshot after "
        guard position.hasPrefix(prefix) else { throw CaptureError("source \(source): the store's position \"\(position)\" is not one this version knows") }
        let typed = position.dropFirst(prefix.count)
        let text = String(typed.dropFirst(2))
        switch typed.prefix(2) {
        case "i:": if let n = Int64(text) { return .snapshot(after: n.databaseValue) }
        case "r:": if let d = Double(text) { return .snapshot(after: d.databaseValue) }
        case "t:": return .snapshot(after: text.databaseValue)
        case "b:":
            var bytes: [UInt8] = []
            var i = text.startIndex
            while i < text.endIndex, let j = text.index(i, offsetBy: 2, limitedBy: text.endIndex), let b = UInt8(text[i..<j], radix: 16) {
                bytes.append(b)
                i = j
            }
            return .snapshot(after: Data(bytes).databaseValue)
        default: break
        }
        throw CaptureError("source \(source): the store's position \"\(position)\" is not one this version knows")
    }

    /// A row's key as the store links it: an integer's digits, a text as is.
    static func keyText(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .int64(let n): String(n)
        case .double(let d): d.description
        case .string(let s): s
        case .blob(let b): b.map { String(format: "%02x", $0) }.joined()
        case .null: ""
        }
    }
}
