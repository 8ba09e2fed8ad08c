import Dispatch
import GRDB

/// An agency SQLite database's commits, seen through `PRAGMA data_version`
/// on a connection of its own: the number changes whenever another
/// connection commits, and reading it costs no table read, so it can be
/// asked every few milliseconds.
public final class SQLiteChangeSignal: ChangeSignal, @unchecked Sendable {
    private let queue: DatabaseQueue
    private var last: Int64?

    init(path: String) throws {
        queue = try SQLiteCaptureTable.connect(path, readonly: true)
    }

    public func changed() -> Bool {
        guard let version = try? queue.inDatabase({ db in try Int64.fetchOne(db, sql: "PRAGMA data_version") }) else { return true }
        defer { last = version }
        return version != last
    }
}

extension SQLiteCaptureTable {
    public func changeSignal(wake: DispatchSemaphore) throws -> (any ChangeSignal)? { try SQLiteChangeSignal(path: path) }
}
