import Foundation
import Hummingbird
import Logging
import NIOCore
import Node

/// The operators' listener, on loopback by default: `/` (the status page,
/// `StatusPage`), `/healthz` (200 while
/// every loop goes round), `/readyz` (200 once the node is ready), and
/// `/metrics` for Prometheus. Nothing a peer may not see is on it, but it
/// is meant for this machine and its monitoring only.
struct AdminServer {
    let node: Node
    let host: String
    let port: Int
    let metrics: DaemonMetrics
    let heartbeat: Heartbeat
    let state: DaemonState
    let staleAfter: TimeInterval

    func application(logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        let state = self.state
        let node = self.node, metrics = self.metrics, staleAfter = self.staleAfter
        router.get("/") { _, _ -> Response in
            let page = StatusPage(node: node, readiness: state.readiness, staleAfter: staleAfter).html()
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        router.get("/healthz") { _, _ -> Response in
            let silent = heartbeat.silent(longerThan: 60)
            return Self.text(silent.isEmpty ? .ok : .serviceUnavailable, silent.isEmpty ? "ok\n" : "not going round: \(silent.joined(separator: ", "))\n")
        }
        router.get("/readyz") { _, _ -> Response in
            let ready = state.readiness
            return Self.text(ready == nil ? .ok : .serviceUnavailable, (ready ?? "ready") + "\n")
        }
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            metrics.registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "hutong-admin"),
                           onServerRunning: { channel in state.adminBound(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// What the admin listener and the notifier share: whether the node is ready, and where the admin listener is.
final class DaemonState: @unchecked Sendable {
    private let lock = NSLock()
    private var notReady: String? = "starting"
    private var admin: Int?

    /// nil when ready; else why not.
    var readiness: String? { lock.lock(); defer { lock.unlock() }; return notReady }
    func ready() { lock.lock(); notReady = nil; lock.unlock() }
    func notReady(_ why: String) { lock.lock(); notReady = why; lock.unlock() }
    func adminBound(_ port: Int) { lock.lock(); admin = port; lock.unlock() }
    /// A reload starts a new listener (its address may have changed).
    func adminUnbound() { lock.lock(); admin = nil; lock.unlock() }
    var adminPort: Int? { lock.lock(); defer { lock.unlock() }; return admin }
}
