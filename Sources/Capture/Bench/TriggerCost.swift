import Foundation

/// A scratch copy of a captured table, made in the agency's own database by
/// `hutong capture bench`, so that the cost of the capture triggers is
/// measured on the agency's machine, disk and engine settings without
/// touching the table itself or its outbox's notes.
public protocol BenchScratch {
    /// The scratch table as capture sees it: its triggers are installed on it for the second half.
    func table() throws -> any OutboxTable
    /// Inserts `rows` copies of the table's rows in one statement and one transaction.
    func insertBulk(_ rows: Int, round: Int) throws
    /// Inserts `rows` copies in one transaction, one statement with its
    /// values a row (as an application or a loader writes a batch).
    func insertBatch(_ rows: Int, round: Int) throws
    /// Inserts `rows` copies, one transaction each (as an application saving one form at a time).
    func insertEach(_ rows: Int, round: Int) throws
    /// At most this many rows in `insertBatch`, where each statement waits for the server.
    var batchLimit: Int? { get }
    /// Empties the scratch table and its notes.
    func empty() throws
    /// Removes the scratch table and whatever the bench made.
    func drop() throws
}

extension BenchScratch {
    public var batchLimit: Int? { nil }

    /// The integer key of a copy in an `INSERT … SELECT` of `sets` sets of
    /// the table's rows (keys `bottom` to `top`): set `r.k` shifted past `top`
    /// by whole spans, which keeps the plan of a plain copy. A single copy
    /// (`offset` > 0, a one-row transaction) takes `top + offset`. Where the
    /// spans would pass 64 bits, a window numbers the copies instead.
    static func integerKey(offset: Int, sets: Int, top: Int64, bottom: Int64, key: String, cast: String) -> String {
        if offset > 0 { return "\(top + Int64(offset))" }
        let span = top.subtractingReportingOverflow(bottom)
        let last = span.partialValue.addingReportingOverflow(1).partialValue.multipliedReportingOverflow(by: Int64(sets))
        let end = top.addingReportingOverflow(last.partialValue)
        guard !span.overflow, !last.overflow, !end.overflow else { return "\(top) + row_number() OVER ()" }
        return "\(top + 1) + r.k\(cast) * \(span.partialValue + 1) + (\(key) - \(bottom))"
    }
}

/// What the capture triggers add to the agency's own inserts, measured on a
/// `BenchScratch`: the best of `rounds` runs each way, so that a pause of
/// the machine's does not count.
public struct TriggerCost: Sendable {
    public let bulkRows: Int
    public let batchRows: Int
    public let singleRows: Int
    public let bulkBare: TimeInterval
    public let bulkTriggered: TimeInterval
    public let batchBare: TimeInterval
    public let batchTriggered: TimeInterval
    public let eachBare: TimeInterval
    public let eachTriggered: TimeInterval

    public var bulkFactor: Double { bulkTriggered / max(bulkBare, 1e-9) }
    public var batchFactor: Double { batchTriggered / max(batchBare, 1e-9) }
    public var eachFactor: Double { eachTriggered / max(eachBare, 1e-9) }

    public static func measure(_ scratch: any BenchScratch, bulkRows: Int, singleRows: Int, rounds: Int = 3) throws -> TriggerCost {
        defer { try? scratch.drop() }
        func best(_ body: (Int) throws -> Void) throws -> TimeInterval {
            var times: [TimeInterval] = []
            for round in 0..<rounds {
                try scratch.empty()
                let start = DispatchTime.now().uptimeNanoseconds
                try body(round)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return times.min() ?? 0
        }
        let bulkBare = try best { try scratch.insertBulk(bulkRows, round: $0) }
        let batchRows = min(bulkRows, scratch.batchLimit ?? bulkRows)
        let batchBare = try best { try scratch.insertBatch(batchRows, round: $0) }
        let eachBare = try best { try scratch.insertEach(singleRows, round: $0) }
        let table = try scratch.table()
        try table.install()
        let bulkTriggered = try best { try scratch.insertBulk(bulkRows, round: $0) }
        let batchTriggered = try best { try scratch.insertBatch(batchRows, round: $0) }
        let eachTriggered = try best { try scratch.insertEach(singleRows, round: $0) }
        try scratch.empty()
        try table.uninstall()
        return TriggerCost(bulkRows: bulkRows, batchRows: batchRows, singleRows: singleRows, bulkBare: bulkBare, bulkTriggered: bulkTriggered,
                           batchBare: batchBare, batchTriggered: batchTriggered, eachBare: eachBare, eachTriggered: eachTriggered)
    }
}
