import Dispatch
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// An agency SQLite database's commits, seen without a query: a commit
/// writes the database file (rollback journal) or its `-wal` file (WAL), so
/// their size and modification time (nanoseconds) change. inotify wakes the
/// capture as they are written (`FileWatch`); a look at them is two `stat`
/// calls, cheap enough every few milliseconds, for file systems without
/// inotify. `PRAGMA data_version` (which changes whenever another
/// connection commits) is still asked once a second, in case a file system
/// keeps coarse times.
///
/// A commit writes its frames to the `-wal` file before it publishes them in
/// the shared index: a read at the moment the file changes can miss the
/// commit it was woken by, and with no write after it, the files would not
/// change again. So a change is reported twice: now, and once more a few
/// milliseconds later (`looksAgain`), however many times the writes of one
/// commit woke the capture in between.
public final class SQLiteChangeSignal: ChangeSignal, @unchecked Sendable {
    private let path: String
    private let queue: DatabaseQueue
    private var files: [Int64] = []
    /// When to report the last change of the files once more, and how long after it.
    private var echoAt: Date?
    private let echoDelay: TimeInterval
    private var version: Int64?
    private var asked = Date.distantPast
    private let watch: FileWatch

    init(path: String, wake: DispatchSemaphore, echoDelay: TimeInterval = 0.003) throws {
        self.path = path
        self.echoDelay = echoDelay
        queue = try SQLiteCaptureTable.connect(path, readonly: true)
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        watch = FileWatch(directory: url.deletingLastPathComponent().path, names: [name, name + "-wal"], wake: wake)
    }

    deinit { watch.stop() }

    public var wakes: Bool { watch.isActive }
    public var looksAgain: Bool { echoAt != nil }

    public func changed() -> Bool {
        _ = watch.take()
        let now = Date()
        let seen = [path, path + "-wal"].flatMap(Self.stamp)
        var changed = seen != files
        files = seen
        if changed || now.timeIntervalSince(asked) >= 1 {
            asked = now
            guard let v = try? queue.inDatabase({ db in try Int64.fetchOne(db, sql: "PRAGMA data_version") }) else { return true }
            changed = changed || v != version
            version = v
        }
        if changed {
            echoAt = now.addingTimeInterval(echoDelay)
            return true
        }
        if let at = echoAt, now >= at {
            echoAt = nil
            return true
        }
        return false
    }

    /// Size and modification time of a file (zeros when it is not there).
    static func stamp(_ file: String) -> [Int64] {
        var s = stat()
        guard stat(file, &s) == 0 else { return [0, 0, 0] }
        return [Int64(s.st_size), Int64(s.st_mtim.tv_sec), Int64(s.st_mtim.tv_nsec)]
    }
}

extension SQLiteCaptureTable {
    public func changeSignal(wake: DispatchSemaphore) throws -> (any ChangeSignal)? { try SQLiteChangeSignal(path: path, wake: wake) }
}
