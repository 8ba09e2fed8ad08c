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
    private var mapper: RowMapper?

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

    public var recordType: String? { mapping.recordType }

    /// The next rows, read in order; they are mapped on the intake's cores (`finisher`).
    public mutating func next() throws -> CapturedBatch? {
        var items: [CapturedItem] = []
        items.reserveCapacity(Self.rowsPerBatch)
        let origin = rows.origin
        while items.count < Self.rowsPerBatch, let item = try rows.next() {
            let reference = SourceReference(origin: origin, location: item.location)
            switch item.row {
            case .success(let row): items.append(CapturedItem(content: .row(row), reference: reference))
            case .failure(let p): items.append(CapturedItem(content: .unusable(row: p.text, reason: p.reason), reference: reference))
            }
        }
        guard !items.isEmpty else { return nil }
        count += Int64(items.count)
        // The mapping is copied for each core only when there is much to map.
        if mapper == nil { mapper = RowMapper(mapping, lanes: items.count >= 2 * Lanes.smallest ? ProcessInfo.processInfo.activeProcessorCount : 1) }
        return CapturedBatch(items: items, position: SourcePosition(count))
    }

    public var finisher: (any ItemFinisher)? { mapper ?? RowMapper(mapping, lanes: 1) }

    public mutating func acknowledge(_ position: SourcePosition) throws {}
}

/// Maps a source's rows, with the mapping once for each core (`Mapping.copies`).
final class RowMapper: ItemFinisher {
    let lanes: [Mapping]

    init(_ mapping: Mapping, lanes: Int) { self.lanes = mapping.copies(lanes) }

    /// A row, mapped, with its place: the line or row, and the row's own key.
    func finish(_ item: CapturedItem, lane: Int) -> CapturedItem {
        guard case .row(let row) = item.content else { return item }
        let mapping = lanes[lane % lanes.count]
        let key = mapping.keyText(row).map { " (\($0))" } ?? ""
        let reference = SourceReference(origin: item.reference.origin, location: "\(item.reference.location)\(key)")
        switch mapping.map(row) {
        case .success(let record): return CapturedItem(content: .mapped(record, row: row), reference: reference, key: item.key, rowHash: item.rowHash)
        case .failure(let problem): return CapturedItem(content: .unusable(row: JSONWriter.string(row.json), reason: problem.description), reference: reference, key: item.key)
        }
    }
}
