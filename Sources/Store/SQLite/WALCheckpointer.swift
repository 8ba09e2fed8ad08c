import Foundation
import GRDB
import GRDBSQLite

/// Copies the store's write-ahead log back into the database file on a thread
/// of its own, so the thread that writes does not: checkpointing in the
/// writer after its commit (SQLite's default) had it copy every page a second
/// time and then wait for the disk to flush, the applying thread's largest
/// wait in a large pull (figures in Benchmarks/README.md).
///
/// The writer's connection reports each commit (`sqlite3_wal_hook`); past
/// `softBytes` of log the checkpointer is woken and copies, alongside the
/// next writes, what is there (a passive checkpoint: it never blocks a writer
/// or reader). SQLite starts the log over from its beginning only when a write
/// begins with all of it copied, which writes back to back rarely allow; past
/// `hardBytes` the writer therefore waits for a running copy and then copies
/// the rest itself, as SQLite would, so the log stays bounded.
final class WALCheckpointer: @unchecked Sendable {
    let path: String
    let softBytes: Int
    let hardBytes: Int
    /// The limits in frames of the writer's page size (a frame is a page and
    /// its 24-byte header), which is what the commit hook reports.
    private var softFrames: Int32 = .max
    private var hardFrames: Int32 = .max
    private let condition = NSCondition()
    private var requested = false
    private var running = false
    private var stopping = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private var completed = 0
    private var byWriter = 0
    private var lastFailure: String?

    /// Checkpoints completed, how many of them by the writer, and the last
    /// failure (a busy log is not one).
    var record: (completed: Int, byWriter: Int, lastFailure: String?) {
        condition.lock()
        defer { condition.unlock() }
        return (completed, byWriter, lastFailure)
    }

    init(path: String, softBytes: Int = 64 << 20, hardBytes: Int = 512 << 20) {
        self.path = path; self.softBytes = softBytes; self.hardBytes = max(hardBytes, softBytes)
    }

    /// Installs the commit hook on the writer's connection, which then no
    /// longer checkpoints by itself.
    func attach(to db: Database) throws {
        let page = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096
        softFrames = Int32(clamping: softBytes / (page + 24))
        hardFrames = Int32(clamping: hardBytes / (page + 24))
        sqlite3_wal_hook(db.sqliteConnection, { context, connection, _, frames in
            Unmanaged<WALCheckpointer>.fromOpaque(context!).takeUnretainedValue().committed(frames: frames, on: connection)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called in the writer, just after a commit, with the log's length in frames.
    private func committed(frames: Int32, on connection: OpaquePointer?) {
        guard frames >= softFrames else { return }
        condition.lock()
        // A copier that failed (its connection, the disk) leaves it to the writer, as SQLite would.
        if frames >= hardFrames || lastFailure != nil {
            while running { condition.wait() }
            condition.unlock()
            checkpoint(connection, byWriter: true)
            return
        }
        if thread == nil && !stopping {
            let t = Thread { self.run() }
            t.name = "hutong.checkpoint"
            thread = t
            t.start()
        }
        requested = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        ThreadPriority.lower(to: ThreadPriority.helper)
        var connection: OpaquePointer?
        let opened = sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        if opened != SQLITE_OK {
            note(failure: "cannot open \(path) to checkpoint: \(String(cString: sqlite3_errstr(opened)))")
        } else if sqlite3_exec(connection, "SELECT count(*) FROM sqlite_master", nil, nil, nil) != SQLITE_OK {
            // A connection that has read nothing does not know the store is in WAL mode: its checkpoints would do nothing.
            note(failure: "cannot read \(path) to checkpoint: \(String(cString: sqlite3_errmsg(connection)))")
        }
        while true {
            condition.lock()
            while !requested && !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                break
            }
            requested = false
            running = true
            condition.unlock()
            if opened == SQLITE_OK { checkpoint(connection, byWriter: false) }
            condition.lock()
            running = false
            condition.broadcast()
            condition.unlock()
        }
        sqlite3_close_v2(connection)
        finished.signal()
    }

    private func checkpoint(_ connection: OpaquePointer?, byWriter: Bool) {
        var logFrames: Int32 = 0, copied: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
        if code == SQLITE_OK {
            condition.lock()
            completed += 1
            if byWriter { self.byWriter += 1 }
            condition.unlock()
        } else if code != SQLITE_BUSY && code != SQLITE_LOCKED {
            note(failure: "checkpoint of \(path) failed: \(String(cString: sqlite3_errmsg(connection)))")
        }
    }

    private func note(failure: String) {
        condition.lock()
        lastFailure = failure
        condition.unlock()
    }

    /// Ends the thread and closes its connection, waiting for a running copy:
    /// the store's last connection to close then removes the log.
    func stop() {
        condition.lock()
        stopping = true
        let started = thread != nil
        condition.broadcast()
        condition.unlock()
        if started { finished.wait() }
    }
}
