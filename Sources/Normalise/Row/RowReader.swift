/// Where a mapping's rows come from: a file (`RowFile`), a table of an
/// agency's database; each row with its place, in order.
public protocol RowReader: AnyObject {
    /// The file or table, as reports name it.
    var origin: String { get }
    /// The columns every row has, when the source declares them (a CSV
    /// header, a table); nil when each row names its own (JSON).
    var header: [String]? { get }
    /// The next row, or nil at the end.
    func next() throws -> RowItem?
}

/// One row, or why it could not be read, with its place: a line number of a
/// file, or a row's key in a table.
public struct RowItem: Sendable {
    public let location: String
    public let row: Result<SourceRow, RowProblem>

    public init(location: String, row: Result<SourceRow, RowProblem>) {
        self.location = location
        self.row = row
    }
}

/// A row that cannot be read: its text as far as it was read (kept in quarantine) and why.
public struct RowProblem: Error, Sendable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { reason }

    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }
}

extension RowReader {
    /// The columns a mapping reads that the source lacks, each with the
    /// mapping's line and the closest column the source has; empty when all are there.
    public func missingColumns(of mapping: Mapping) -> [String] {
        guard let header else { return [] }
        return mapping.columns.keys.filter { !header.contains($0) }.sorted().map { c in
            "\(c) (\(mapping.file):\(mapping.columns[c]!))\(didYouMean(c, in: header))"
        }
    }
}
