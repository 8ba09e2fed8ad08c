import Foundation

/// A TCP relay on 127.0.0.1 to a node's port that breaks its first connection
/// after `cutAfter` bytes from the node: a network that fails in the middle
/// of an answer. Later connections are relayed whole. `bytesPerSecond` makes
/// it a slow link, in both directions. TLS passes through untouched, so both
/// ends still verify each other.
final class CuttingProxy: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var accepted = 0

    /// Connections taken so far.
    var connections: Int { lock.lock(); defer { lock.unlock() }; return accepted }

    init(to target: Int, cutAfter: Int?, bytesPerSecond: Int? = nil) {
        let (fd, port) = Cluster.boundSocket()
        listen(fd, 16)
        listener = fd
        self.port = port
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var to = Self.loopback(target)
                let ok = withUnsafePointer(to: &to) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
                guard ok == 0 else { _ = close(client); _ = close(upstream); continue }
                lock.lock(); accepted += 1; let first = accepted == 1; lock.unlock()
                let both = DispatchGroup()
                for (from, to, limit) in [(client, upstream, nil), (upstream, client, first ? cutAfter : nil)] {
                    both.enter()
                    Thread.detachNewThread { Self.relay(from: from, to: to, limit: limit, rate: bytesPerSecond); both.leave() }
                }
                both.notify(queue: .global()) { _ = close(client); _ = close(upstream) }
            }
        }
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); _ = close(listener) }

    /// Copies until either side closes, or `limit` bytes have passed: then both
    /// directions are shut down mid-stream.
    private static func relay(from: Int32, to: Int32, limit: Int?, rate: Int?) {
        var buffer = [UInt8](repeating: 0, count: rate.map { min(16_384, max(1, $0 / 20)) } ?? 16_384)
        var passed = 0
        let start = Date()
        while true {
            if let rate {
                let due = Double(passed) / Double(rate) - Date().timeIntervalSince(start)
                if due > 0 { Thread.sleep(forTimeInterval: due) }
            }
            let want = limit.map { min(buffer.count, $0 - passed) } ?? buffer.count
            let n = want > 0 ? read(from, &buffer, want) : 0
            if n <= 0 { break }
            var sent = 0
            while sent < n {
                let w = buffer[sent..<n].withUnsafeBytes { send(to, $0.baseAddress, n - sent, Int32(MSG_NOSIGNAL)) }  // never SIGPIPE: the tests share one process
                if w <= 0 { break }
                sent += w
            }
            passed += n
        }
        shutdown(from, Int32(SHUT_RDWR))
        shutdown(to, Int32(SHUT_RDWR))
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return addr
    }
}
