import Foundation
import Logging
import ServiceLifecycle
import Transport

/// The peer API as this node's configuration sets it up.
public struct NodeServer: Sendable {
    let server: PeerServer
    public let host: String
    public let port: Int
    /// "mutual TLS", or plain HTTP for loopback tests.
    public let mode: String

    /// Serves until the process is told to stop (SIGTERM, SIGINT), finishing
    /// the requests under way; `onRunning` gets the port bound.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var logger = Logger(label: "hutong.serve")
        logger.logLevel = .warning
        try await server.run(logger: logger, onRunning: onRunning)
    }

    /// The server as a service of the daemon's group.
    public func service(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) throws -> any Service {
        try server.application(logger: logger, onRunning: onRunning)
    }
}

extension Node {
    /// The peer API on `[server] listen`, or on `listen` (`HOST:PORT`) when given.
    /// - Throws: `NodeError` for a bad address, missing TLS material or an unreadable key.
    /// `exchanged`: told what each pull answered and push accepted carried (`PeerServer.Settings`).
    public func server(listen: String? = nil, exchanged: (@Sendable (SyncSummary) -> Void)? = nil) throws(NodeError) -> NodeServer {
        let config = configuration
        let key = try signingKey()
        var host = config.listenHost, port = config.listenPort
        if let listen {
            guard let (h, p) = NodeConfiguration.hostAndPort(listen) else { throw NodeError("--listen \(listen) must be HOST:PORT, e.g. 0.0.0.0:7443") }
            host = h; port = p
        }
        var tls = config.tls
        if config.plainHTTP { tls = nil } else if tls == nil {
            throw NodeError("\(config.file.path): no [tls] section; mutual TLS is the default (plain_http = true serves loopback tests only)")
        }
        var settings = PeerServer.Settings(host: host, port: port, tls: tls)
        settings.maxBodyBytes = config.maxBodyBytes
        settings.maxBatchAge = TimeInterval(config.maxBatchAgeSeconds)
        settings.idleTimeout = config.idleTimeoutSeconds
        settings.exchanged = exchanged
        let server = PeerServer(store: store, catalog: catalog, key: key, peers: config.peers, settings: settings)
        return NodeServer(server: server, host: host, port: port, mode: tls == nil ? "plain HTTP (loopback tests only)" : "mutual TLS")
    }
}
