import Foundation
import Testing
@testable import Transport

/// A peer on 127.0.0.1 that answers the first bytes of a 200 and then sends
/// nothing more, holding the connection open: a stalled network.
final class StallingPeer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let done = DispatchSemaphore(value: 0)

    init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        listen(fd, 4)
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let done = done
        Thread.detachNewThread {
            let conn = accept(fd, nil, nil)
            guard conn >= 0 else { return }
            var request = [UInt8](repeating: 0, count: 4096)
            _ = read(conn, &request, request.count)
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{\"a\":1\r\n"
            _ = head.withCString { write(conn, $0, strlen($0)) }
            done.wait()
            _ = Glibc.close(conn)
        }
    }

    func stop() {
        done.signal()
        _ = Glibc.close(listener)
    }
}

@Suite struct PeerClientTests {
    /// A sync whose applying side failed stops its receiving side at once,
    /// even while that waits on a peer that has gone quiet, instead of after
    /// curl's total timeout (here 30 s, one attempt: the error would then say
    /// it timed out; checked).
    @Test func aStoppedRequestEndsWhileThePeerStalls() throws {
        let peer = StallingPeer()
        defer { peer.stop() }
        var options = PeerClient.Options(baseURL: "http://127.0.0.1:\(peer.port)")
        options.totalTimeout = 30
        options.attempts = 1  // a timeout is not retried here, so it cannot pass for a stop
        let client = try PeerClient(options)
        let stopped = LockedFlag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { stopped.set() }
        final class Sink: DownloadSink { var bytes = 0; func write(_ b: UnsafeRawBufferPointer) throws { bytes += b.count } }
        let sink = Sink()
        let error = #expect(throws: PeerError.self) {
            _ = try client.request("GET", "/v1/changes", download: { sink }, stop: { stopped.isSet })
        }
        #expect(error?.isStopped == true, "\(String(describing: error))")
        #expect(sink.bytes == 6)  // what the peer sent before it stalled arrived
        #expect(client.requests == 1)  // a stopped request is not tried again
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
