import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes to a few files of one directory, reported as they happen (Linux
/// inotify): a SQLite commit writes the database or its `-wal` file, so the
/// capture is woken at once instead of at its next look. A thread of its own
/// waits on the inotify descriptor and signals `wake` once per burst of
/// writes (until `take` is called). Where inotify is not to be had (a
/// network file system), `isActive` is false and the looks alone find commits.
final class FileWatch: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var stopped = false
    private var pending = false
    let isActive: Bool

    init(directory: String, names: Set<String>, wake: DispatchSemaphore) {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        let mask = UInt32(IN_MODIFY) | UInt32(IN_CREATE) | UInt32(IN_MOVED_TO) | UInt32(IN_CLOSE_WRITE)
        isActive = fd >= 0 && inotify_add_watch(fd, directory, mask) >= 0
        guard isActive else { return }
        let fd = self.fd
        // The thread holds the watch, not its owner: the owner going away stops it (`stop`).
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&p, 1, 500)
                lock.lock()
                let done = stopped
                lock.unlock()
                if done { break }
                guard ready > 0 else { continue }
                let n = read(fd, &buffer, buffer.count)
                guard n > 0 else { continue }
                if Self.mentions(buffer[..<n], names) && flag() { wake.signal() }
            }
            close(fd)
        }
    }

    /// Sets the pending flag; true when it was not set (one signal per burst).
    private func flag() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if pending { return false }
        pending = true
        return true
    }

    /// Whether a write was seen since the last call.
    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let was = pending
        pending = false
        return was
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        if !isActive && fd >= 0 { close(fd) }
    }

    /// Whether any event in `events` (struct inotify_event records) names one of `names`.
    static func mentions(_ events: ArraySlice<UInt8>, _ names: Set<String>) -> Bool {
        let header = MemoryLayout<inotify_event>.size
        var i = events.startIndex
        while i + header <= events.endIndex {
            let length = events.withUnsafeBytes { raw in raw.loadUnaligned(fromByteOffset: i - events.startIndex + 12, as: UInt32.self) }
            let start = i + header
            let end = min(events.endIndex, start + Int(length))
            let name = String(decoding: events[start..<end].prefix { $0 != 0 }, as: UTF8.self)
            if names.contains(name) { return true }
            i = end
        }
        return false
    }
}
