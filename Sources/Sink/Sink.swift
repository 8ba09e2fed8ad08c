import Replication
import Store

/// Writes the node's current records into an agency's database
/// (`SinkTarget`), following the store's change log from a cursor the
/// store keeps (`CaptureLedger.sinkPosition`).
///
/// Only the merged winner is written, never a raw peer version: the change
/// log holds each record's current version. Where the position is kept, and
/// why that is safe: the rows of a page are written in one transaction of
/// the agency's database, and the cursor is saved in the node store after it
/// commits. A kill between the two writes the page again on the next run,
/// and rows whose hash is already there are left alone: nothing is lost, and
/// nothing changes twice.
public struct Sink: Sendable {
    public let name: String
    public let target: any SinkTarget
    /// The target's layouts by record type: a version of any other type is not written.
    let layouts: [String: SinkLayout]
    let store: any ChangeLog & CaptureLedger
    static let pageSize = 1_000

    public init(name: String, target: any SinkTarget, store: any ChangeLog & CaptureLedger) {
        self.name = name
        self.target = target
        layouts = Dictionary(uniqueKeysWithValues: target.layouts.map { ($0.recordType, $0) })
        self.store = store
    }

    /// What one drain did.
    public struct Report: Sendable, Equatable {
        /// Rows inserted or changed in the agency's tables (tombstones included).
        public var written = 0
        /// Of those, records marked deleted.
        public var deleted = 0
        /// Versions looked at (of any type).
        public var read = 0

        public var summary: String? {
            written == 0 ? nil : "\(written) row\(written == 1 ? "" : "s") written\(deleted > 0 ? " (\(deleted) marked deleted)" : "")"
        }
    }

    /// Writes every change after the cursor, a page a transaction.
    public func drain() throws -> Report {
        guard try target.isInstalled() else {
            throw SinkError("sink \(name): its tables are not in \(target.origin); run `hutong capture install \(name)` (or give its DBA the SQL of `hutong capture install \(name) --print`)")
        }
        var report = Report()
        while let (page, next) = try writeNext(&report) {
            try store.saveSinkPosition(name, sequence: next)
            if page < Self.pageSize { break }
        }
        return report
    }

    /// Writes the next page after the stored cursor, without saving the
    /// cursor: returns how many versions the page held and the cursor to
    /// save, or nil when nothing follows it.
    func writeNext(_ report: inout Report) throws -> (Int, Int64)? {
        let cursor = try store.sinkPosition(name)
        let changes = try store.changes(since: cursor, excludingPeer: nil, limit: Self.pageSize, bodies: true)
        guard changes.lastSequence > cursor else { return nil }
        let rows = changes.versions.compactMap { e in layouts[e.type].map { SinkRow(e, layout: $0) } }
        let done = try target.write(rows)
        report.read += changes.versions.count
        report.written += done.changed
        report.deleted += done.deleted
        return (changes.versions.count, changes.lastSequence)
    }
}
