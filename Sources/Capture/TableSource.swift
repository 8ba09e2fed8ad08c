/// A source read from an agency table (`TriggerSource`, `ScanSource`), as
/// `hutong capture --once` and `--follow` drive it: one object kept between
/// reads, with the table it reads.
public protocol TableSource: RecordSource, AnyObject {
    var sourceTable: any SourceTable { get }
    /// After a read that a signal started: whether to read again in a moment
    /// (notes held back by a transaction still open), not at the next signal.
    func readAgainSoon() -> Bool
}

extension TriggerSource: TableSource {
    public var sourceTable: any SourceTable { table }
    public func readAgainSoon() -> Bool { (try? table.hasNotes()) == true }
}

extension ScanSource: TableSource {
    public var sourceTable: any SourceTable { table }
    public func readAgainSoon() -> Bool { false }
}
