/// An agency database the node writes records into (`SQLiteSinkTarget`,
/// `PostgresSinkTarget`): tables Hutong owns, one per record type, which
/// the agency reads (through views of its own, or directly).
///
/// Each write runs in one transaction of the agency's database that the
/// capture triggers of that database recognise as the node's own and do not
/// note (SQLite: a row in `_hutong_applying`; PostgreSQL: `SET LOCAL
/// hutong.applying = 'on'`), so that nothing the sink writes is captured back,
/// even when a source is configured on the same database.
public protocol SinkTarget: Sendable {
    /// "DATABASE", for messages.
    var origin: String { get }
    /// The record types written, each with its table's columns.
    var layouts: [SinkLayout] { get }
    /// The tables' names as the agency sees them, by record type.
    var tables: [String: String] { get }
    var installSQL: String { get }
    var uninstallSQL: String { get }
    /// Creates the tables (and adds columns a newer standard has); returns whether all were there.
    @discardableResult func install() throws -> Bool
    /// Drops the tables.
    func uninstall() throws
    func isInstalled() throws -> Bool
    /// Upserts `rows` by id in one transaction; a row whose hash is already
    /// there is left alone.
    func write(_ rows: [SinkRow]) throws -> SinkWrite
}

/// What one write changed in the agency's tables.
public struct SinkWrite: Sendable, Equatable {
    /// Rows inserted or changed, tombstones included.
    public var changed = 0
    /// Of those, rows marked deleted.
    public var deleted = 0

    public init(changed: Int = 0, deleted: Int = 0) {
        self.changed = changed
        self.deleted = deleted
    }
}
