import Foundation
import HutongTesting
import Testing
@testable import Transport

/// A peer on 127.0.0.1 that reads one request and writes `answer` as it is:
/// then, holding the connection open, nothing more (a stalled network), or it closes.
final class LoopbackPeer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let done = DispatchSemaphore(value: 0)

    /// The first bytes of a 200 whose body never ends.
    static let stalling = Array("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{\"a\":1\r\n".utf8)

    init(answer: [UInt8] = LoopbackPeer.stalling, holdOpen: Bool = true) {
        let (fd, bound) = Loopback.boundSocket()
        listen(fd, 4)
        listener = fd
        port = bound
        let done = done
        Thread.detachNewThread {
            let conn = accept(fd, nil, nil)
            guard conn >= 0 else { return }
            var request = [UInt8](repeating: 0, count: 4096)
            _ = read(conn, &request, request.count)
            _ = answer.withUnsafeBytes { write(conn, $0.baseAddress!, $0.count) }
            if holdOpen { done.wait() }
            _ = Glibc.close(conn)
        }
    }

    /// An HTTP/1.1 answer with these headers and body, its length given.
    static func answer(status: String = "200 OK", headers: [String], body: [UInt8]) -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\n\((headers + ["Content-Length: \(body.count)"]).joined(separator: "\r\n"))\r\n\r\n".utf8) + body
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
        let peer = LoopbackPeer()
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

extension PeerClientTests {
    /// Answers are read through igzip, not curl: a gzip answer is decoded
    /// whether it is streamed to a sink or held whole, one without
    /// Content-Encoding is left as it is, and a gzip stream that stops before
    /// its end is an error naming the peer, though HTTP delivered every byte.
    @Test func gzipAnswersAreDecodedAndACutStreamIsAnError() throws {
        let body = Array(String(repeating: "{\"status\":\"行政处罚\"}\n", count: 2_000).utf8)
        let packed = Gzip.compress(body)
        final class Sink: DownloadSink { var bytes: [UInt8] = []; func write(_ b: UnsafeRawBufferPointer) throws { bytes += b } }
        func get(_ answer: [UInt8], streamed: Bool) throws -> (PeerClient.Response, [UInt8]) {
            let peer = LoopbackPeer(answer: answer, holdOpen: false)
            defer { peer.stop() }
            var options = PeerClient.Options(baseURL: "http://127.0.0.1:\(peer.port)")
            options.attempts = 1
            let sink = Sink()
            let r = try PeerClient(options).request("GET", "/v1/status", download: streamed ? { sink } : nil)
            return (r, sink.bytes)
        }
        let gzipped = LoopbackPeer.answer(headers: ["Content-Encoding: gzip"], body: packed)
        #expect(try get(gzipped, streamed: true).1 == body)
        #expect(try get(gzipped, streamed: false).0.body == body)
        #expect(try get(LoopbackPeer.answer(headers: [], body: body), streamed: false).0.body == body)
        for streamed in [true, false] {
            let cut = LoopbackPeer.answer(headers: ["Content-Encoding: gzip"], body: Array(packed.dropLast(8)))
            let error = #expect(throws: PeerError.self) { _ = try get(cut, streamed: streamed) }
            #expect(error?.description.hasPrefix("http://127.0.0.1:") == true && error?.message.contains("could not be read") == true,
                    "\(String(describing: error))")
        }
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
