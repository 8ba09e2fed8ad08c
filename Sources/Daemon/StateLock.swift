import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One daemon per node store: an exclusive `flock` on `STORE.lock`, held
/// for the process's life and released by the kernel however it ends (a
/// kill -9 leaves no stale lock). The file holds the holder's pid, for the
/// message the second daemon gives.
public final class StateLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    /// - Throws: `DaemonError` naming the pid that holds the lock, or why the file cannot be opened.
    public init(store: String) throws(DaemonError) {
        path = store + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DaemonError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, 31, 0)
            let pid = n > 0 ? String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            throw DaemonError("another hutong (pid \(pid)) is already running on the store \(store); stop it first (systemctl stop hutong), or give this one its own state directory")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    deinit { close(fd) }
}

/// Why the daemon cannot start or go on, in words.
public struct DaemonError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
