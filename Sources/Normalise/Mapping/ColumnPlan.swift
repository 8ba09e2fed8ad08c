import Foundation

/// Where each column a mapping reads (by the slot its references were given
/// when the mapping was loaded) is in the rows it maps, worked out once for
/// the columns those rows share (a file's header, a table's columns) instead
/// of a name lookup for every field of every row. Each core maps with a
/// mapping of its own (`Mapping.copies`), so the lock is never contended; it
/// keeps a mapping used from two threads correct.
final class ColumnPlan: @unchecked Sendable {
    /// The columns, in the order of their slots.
    let slots: [String]
    private let lock = NSLock()
    private var columns: SourceColumns?
    private var positions: [Int] = []

    init(slots: [String]) { self.slots = slots }

    /// Each slot's position among `columns`; -1 where the source has no such column.
    func positions(in columns: SourceColumns) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        if self.columns !== columns {
            self.columns = columns
            positions = slots.map { columns.position(of: $0) ?? -1 }
        }
        return positions
    }
}

extension SourceRow {
    /// The value of `column`, found by its slot in `plan`.
    @inline(__always)
    func value(_ column: ColumnRef, _ plan: [Int]) -> RowValue {
        let i = plan[column.slot]
        return i >= 0 && i < values.count ? values[i] : .null
    }
}
