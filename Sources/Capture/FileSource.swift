import Foundation
import Standard

/// A JSON or NDJSON file as a source: its records a chunk at a time (bounded
/// memory for a file of any size), each with its line. Nothing needs letting
/// go: importing the file again is harmless.
public struct FileSource: RecordSource {
    public let path: String
    private let reader: RecordReader
    private var count: Int64 = 0

    /// - Throws: `IntakeError.unreadable` when the file cannot be opened.
    public init(path: String) throws(IntakeError) {
        self.path = path
        do { reader = try RecordReader(path: path) } catch { throw .unreadable(path: path) }
    }

    public var name: String { "import \(path)" }

    public mutating func next() throws -> CapturedBatch? {
        guard let chunk = try reader.next() else { return nil }
        count += Int64(chunk.records.count)
        return CapturedBatch(
            items: chunk.records.map { r in
                CapturedItem(json: chunk.bytes[r.range], reference: SourceReference(origin: path, location: String(r.line)))
            },
            position: SourcePosition(count))
    }

    public mutating func acknowledge(_ position: SourcePosition) throws {}
}
