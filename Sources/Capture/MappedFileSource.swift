import Foundation
import JSON
import Normalise

/// An agency's export file (CSV, NDJSON, a JSON array) read through a
/// mapping: each row becomes a standard record, or an item that names the
/// field, value and reason it could not be mapped. A piece at a time, so a
/// file of any size is taken in bounded memory.
public struct MappedFileSource: RecordSource {
    public let path: String
    public let mapping: Mapping
    private let file: RowFile
    private var count: Int64 = 0
    static let rowsPerBatch = 1_000

    /// - Throws: `IntakeError` for a file that cannot be opened or read as its
    ///   format, or whose header lacks a column the mapping reads.
    public init(path: String, mapping: Mapping) throws(IntakeError) {
        self.path = path
        self.mapping = mapping
        do { file = try RowFile(path: path, options: mapping.source) } catch {
            throw .unreadable(path: "\(path): \(error)")
        }
        if let header = file.header {
            let missing = mapping.columns.keys.filter { !header.contains($0) }.sorted()
            if !missing.isEmpty {
                let named = missing.map { c in "\(c) (\(mapping.file):\(mapping.columns[c]!))\(didYouMean(c, in: header))" }
                throw .missingColumns(path: path, detail: "its header lacks column\(missing.count == 1 ? "" : "s") the mapping reads: \(named.joined(separator: "; ")); the header has \(header.joined(separator: ", "))")
            }
        }
    }

    public var name: String { "import \(path) (mapping \(mapping.file))" }

    public mutating func next() throws -> CapturedBatch? {
        var items: [CapturedItem] = []
        while items.count < Self.rowsPerBatch, let item = try file.next() {
            items.append(Self.item(item, mapping: mapping, path: path))
        }
        guard !items.isEmpty else { return nil }
        count += Int64(items.count)
        return CapturedBatch(items: items, position: SourcePosition(count))
    }

    /// One row, mapped, with its place: the line and the row's own key.
    static func item(_ item: RowFile.RowItem, mapping: Mapping, path: String) -> CapturedItem {
        switch item.row {
        case .failure(let p):
            return CapturedItem(content: .unusable(row: p.text, reason: p.reason), reference: SourceReference(origin: path, location: String(item.line)))
        case .success(let row):
            let key = mapping.keyText(row).map { " (\($0))" } ?? ""
            let reference = SourceReference(origin: path, location: "\(item.line)\(key)")
            let text = JSONWriter.string(row.json)
            switch mapping.map(row) {
            case .success(let record): return CapturedItem(content: .mapped(record, row: text), reference: reference)
            case .failure(let problem): return CapturedItem(content: .unusable(row: text, reason: problem.description), reference: reference)
            }
        }
    }

    public mutating func acknowledge(_ position: SourcePosition) throws {}
}
