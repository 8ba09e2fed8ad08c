import Foundation
import Normalise
import Store

/// An agency table the node may not alter (no triggers, no outbox): read by
/// scanning. Each row's content hash is kept with its link in the node store
/// (`CaptureLedger`); a scan yields only rows whose hash differs (new or
/// changed), and a full scan that no longer finds a linked key yields its
/// deletion.
///
/// With a watermark column (`UPDATE_TIME`), a scan reads only rows whose
/// value is at or after the highest value the last scan saw; every
/// `fullScanEvery` it reads the whole table, which finds deletions and any
/// row a long transaction committed "behind" the watermark.
///
/// Where the position is kept, and why that is safe: rows are stored with
/// their hashes page by page, and the position (when the last full scan
/// began, the watermark) only in the transaction of a scan's last page. A
/// killed scan starts again at its first page: the rows it stored already
/// have their hashes and are passed over. Deletions are looked for only at
/// the end of a full scan, against the keys that scan itself saw.
public final class ScanSource: RecordSource {
    public let sourceName: String
    public let table: any SourceTable
    public let mapping: Mapping
    let store: any CaptureLedger
    let watermarkColumn: String?
    let fullScanEvery: TimeInterval
    private var position: ScanPosition
    private var scan: Scan?
    /// Set by a scan's last page: the next `next()` ends the run, the one after starts a new scan.
    private var ended = false
    private let hasher: RowHash
    private var mapper: RowMapper?
    private let columns: SourceColumns
    static let pageSize = 1_000

    /// One scan under way.
    struct Scan {
        let full: Bool
        let since: Watermark?
        let startedAt: Date
        /// The watermark's highest value when the scan began: where the next one reads from.
        let latest: String?
        var after: String?
        var first = true
        /// The keys a full scan found.
        var seen = Set<String>()
    }

    /// - Parameter position: the source's position as the store keeps it (nil: never scanned).
    /// - Throws: `CaptureError` when the table lacks a column the mapping or the watermark names.
    public init(name: String, table: any SourceTable, mapping: Mapping, store: any CaptureLedger, position: String?,
                watermark: String? = nil, fullScanEvery: TimeInterval = 3_600) throws(CaptureError) {
        sourceName = name
        self.table = table
        self.mapping = mapping
        self.store = store
        watermarkColumn = watermark
        self.fullScanEvery = fullScanEvery
        columns = SourceColumns(table.columns)
        try table.check(mapping, source: name)
        if let watermark, !table.columns.contains(watermark) {
            throw CaptureError("source \(name): table \(table.table) of \(table.origin) has no column \(watermark) (watermark = \"\(watermark)\")\(didYouMean(watermark, in: table.columns))")
        }
        self.position = position.flatMap(ScanPosition.init) ?? ScanPosition()
        // The mapping's text seeds every row's hash: a changed mapping maps every row again.
        hasher = RowHash(seed: (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: mapping.file)))) ?? Array(mapping.file.utf8))
    }

    public var name: String { "scan \(sourceName) (\(table.origin))" }
    public var mappingFile: String? { mapping.file }

    public var recordType: String? { mapping.recordType }
    public var ledger: String? { sourceName }
    public var finisher: (any ItemFinisher)? { mapper ?? RowMapper(mapping, lanes: 1) }

    /// Whether the next scan reads the whole table.
    func fullScanDue(_ now: Date) -> Bool {
        guard watermarkColumn != nil, let last = position.fullScanAt, position.watermark != nil else { return true }
        return now.timeIntervalSince(last) >= fullScanEvery
    }

    public func next() throws -> CapturedBatch? {
        if ended {
            ended = false
            return nil
        }
        if scan == nil { scan = try begin(Date()) }
        if mapper == nil { mapper = RowMapper(mapping, lanes: ProcessInfo.processInfo.activeProcessorCount) }
        while true {
            var items: [CapturedItem] = []
            if scan!.first, scan!.full {
                // Rows without a key cannot be followed; they are named, not skipped.
                let count = try table.keylessRows()
                if count > 0 { items.append(table.keylessItem(count)) }
            }
            scan!.first = false
            let (rows, last) = try table.page(after: scan!.after, limit: Self.pageSize, since: scan!.since)
            scan!.after = last
            let stored = try store.rowHashes(source: sourceName, keys: rows.map(\.key))
            for row in rows {
                if scan!.full { scan!.seen.insert(row.key) }
                let hash = hasher.of(row.values)
                if stored[row.key] != hash { items.append(table.item(row, columns: columns, rowHash: hash)) }
            }
            if rows.count < Self.pageSize || last == nil {
                return try finish(items)
            }
            if !items.isEmpty { return CapturedBatch(items: items, position: SourcePosition(0)) }
        }
    }

    public func acknowledge(_ position: SourcePosition) throws {}

    private func begin(_ now: Date) throws -> Scan {
        let latest = try watermarkColumn.map { try table.latest($0) } ?? nil
        if fullScanDue(now) { return Scan(full: true, since: nil, startedAt: now, latest: latest) }
        return Scan(full: false, since: Watermark(column: watermarkColumn!, from: position.watermark!), startedAt: now, latest: latest)
    }

    /// The scan's last page, the deletions a full scan found, and the position after it.
    private func finish(_ page: [CapturedItem]) throws -> CapturedBatch {
        let scan = self.scan!
        var items = page
        if scan.full {
            for key in try store.sourceKeys(source: sourceName) where !scan.seen.contains(key) {
                items.append(CapturedItem(content: .deleted, reference: table.reference(key), key: key))
            }
            position.fullScanAt = scan.startedAt
        }
        if let latest = scan.latest { position.watermark = latest }
        self.scan = nil
        ended = true
        return CapturedBatch(items: items, position: SourcePosition(1, checkpoint: position.text))
    }

}
