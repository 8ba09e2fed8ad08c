import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// TCP sockets on 127.0.0.1 for tests that run servers and peers.
public enum Loopback {
    /// A TCP socket bound to a free port on 127.0.0.1, not yet listening.
    public static func boundSocket() -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }

    /// A port free now and never handed out before in this test process: the
    /// kernel may give a port just closed to the next caller, and two nodes
    /// (or two clusters of tests running in parallel) then met on one port.
    public static func freePort() -> Int {
        handedOutLock.lock()
        defer { handedOutLock.unlock() }
        while true {
            let (fd, port) = boundSocket()
            close(fd)
            if handedOut.insert(port).inserted { return port }
        }
    }
    private static let handedOutLock = NSLock()
    nonisolated(unsafe) private static var handedOut: Set<Int> = []
}
