import Foundation
import JSON
import Normalise

/// An agency's rows read through a mapping: an export file (CSV, NDJSON, a
/// JSON array) or a database table. Each row becomes a standard record, or an
/// item that names the field, value and reason it could not be mapped; a
/// piece at a time, so a source of any size is taken in bounded memory.
public struct MappedSource: RecordSource {
    public let mapping: Mapping
    private let rows: any RowReader
    private var count: Int64 = 0
    static let rowsPerBatch = 1_000
    /// The mapping once for each core that maps rows (`Mapping.copies`), made
    /// when a batch is large enough to share out.
    private var lanes: [Mapping] = []

    /// - Throws: `IntakeError.missingColumns` when the source lacks a column the mapping reads.
    public init(rows: any RowReader, mapping: Mapping) throws(IntakeError) {
        self.rows = rows
        self.mapping = mapping
        let missing = rows.missingColumns(of: mapping)
        if !missing.isEmpty {
            throw .missingColumns(path: rows.origin, detail: "it lacks column\(missing.count == 1 ? "" : "s") the mapping reads: \(missing.joined(separator: "; ")); it has \(rows.header!.joined(separator: ", "))")
        }
    }

    /// An export file, read as the mapping's `[source]` says.
    /// - Throws: `IntakeError` for a file that cannot be opened or lacks a column the mapping reads.
    public static func file(_ path: String, mapping: Mapping) throws(IntakeError) -> MappedSource {
        let rows: RowFile
        do { rows = try RowFile(path: path, options: mapping.source) } catch { throw .unreadable(path: "\(path): \(error)") }
        return try MappedSource(rows: rows, mapping: mapping)
    }

    public var name: String { "import \(rows.origin) (mapping \(mapping.file))" }

    public var mappingFile: String? { mapping.file }

    /// The next rows, read in order and mapped on every core (mapping is
    /// most of the work, and rows are independent).
    public mutating func next() throws -> CapturedBatch? {
        var read: [RowItem] = []
        read.reserveCapacity(Self.rowsPerBatch)
        while read.count < Self.rowsPerBatch, let item = try rows.next() { read.append(item) }
        guard !read.isEmpty else { return nil }
        count += Int64(read.count)
        let origin = rows.origin
        if lanes.isEmpty {
            lanes = read.count >= 2 * Lanes.smallest ? mapping.copies(ProcessInfo.processInfo.activeProcessorCount) : [mapping]
        }
        let items = Lanes.map(read, contexts: lanes) { Self.item($0, mapping: $1, origin: origin) }
        return CapturedBatch(items: items, position: SourcePosition(count))
    }

    /// One row, mapped, with its place: the line or row, and the row's own key.
    static func item(_ item: RowItem, mapping: Mapping, origin: String) -> CapturedItem {
        switch item.row {
        case .failure(let p):
            return CapturedItem(content: .unusable(row: p.text, reason: p.reason), reference: SourceReference(origin: origin, location: item.location))
        case .success(let row):
            let key = mapping.keyText(row).map { " (\($0))" } ?? ""
            let reference = SourceReference(origin: origin, location: "\(item.location)\(key)")
            switch mapping.map(row) {
            case .success(let record): return CapturedItem(content: .mapped(record, row: row), reference: reference)
            case .failure(let problem): return CapturedItem(content: .unusable(row: JSONWriter.string(row.json), reason: problem.description), reference: reference)
            }
        }
    }

    public mutating func acknowledge(_ position: SourcePosition) throws {}
}
