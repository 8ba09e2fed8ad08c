import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Something on a peer's port that is not a peer: `.slow` answers every
/// connection with the start of a TLS record, then one byte a second for as
/// long as it stays open (a link or a server at the end of its strength);
/// `.garbage` answers with plain text where TLS is expected.
final class FaultyPeer: @unchecked Sendable {
    enum Behaviour { case slow, garbage }
    private let listener: Int32
    private let lock = NSLock()
    /// Connections still open. Every descriptor is closed exactly once, under
    /// the lock: the tests share one process, and a descriptor closed twice
    /// may by then be another test's database file.
    private var open: Set<Int32> = []
    private var stopped = false

    init(port: Int, _ behaviour: Behaviour) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        listener = fd
        Thread.detachNewThread { [self] in
            while true {
                lock.lock()
                let done = stopped
                lock.unlock()
                if done { return }
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                lock.lock()
                if stopped { lock.unlock(); close(client); return }
                open.insert(client)
                lock.unlock()
                Thread.detachNewThread { [self] in
                    Self.serve(client, behaviour)
                    lock.lock()
                    if open.remove(client) != nil { close(client) }
                    lock.unlock()
                }
            }
        }
    }

    private static func serve(_ fd: Int32, _ behaviour: Behaviour) {
        var nosig: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &nosig, socklen_t(MemoryLayout<Int32>.size))
        switch behaviour {
        case .garbage:
            let text = Array("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nnot a peer\r\n".utf8)
            _ = send(fd, text, text.count, Int32(MSG_NOSIGNAL))
            Thread.sleep(forTimeInterval: 0.2)
        case .slow:
            // A TLS handshake record announcing 16 KB, then its bytes one a second.
            let head: [UInt8] = [0x16, 0x03, 0x03, 0x40, 0x00]
            guard send(fd, head, head.count, Int32(MSG_NOSIGNAL)) == head.count else { return }
            while true {
                Thread.sleep(forTimeInterval: 1)
                var byte: UInt8 = 0
                guard send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { break }
            }
        }
    }

    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        // Shut down, not closed: each connection's thread closes its own.
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    deinit { stop() }
}
