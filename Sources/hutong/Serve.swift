import ArgumentParser
import Foundation
import Logging
import Node
import Transport

/// `hutong serve`: the peer API alone.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the peer API: peers pull changes and push batches (mutual TLS).",
        discussion: "Stops on SIGTERM or SIGINT after finishing the requests under way.")
    @OptionGroup var node: NodeOptions
    @Option(help: ArgumentHelp("Listen here instead of [server] listen.", valueName: "host:port")) var listen: String?

    func run() throws {
        let opened = try node.open()
        let config = opened.config
        let key: NodeKey
        do { key = try NodeKey.read(from: config.signingKeyPath) } catch {
            throw CommandFailure(code: ExitStatus.usage, message: "\(error)")
        }
        var host = config.listenHost, port = config.listenPort
        if let listen {
            guard let colon = listen.lastIndex(of: ":"), let p = Int(listen[listen.index(after: colon)...]) else {
                throw CommandFailure(code: ExitStatus.usage, message: "--listen \(listen) must be HOST:PORT")
            }
            host = String(listen[..<colon]); port = p
        }
        var tls = config.tls
        if config.plainHTTP { tls = nil } else if tls == nil {
            throw CommandFailure(code: ExitStatus.usage, message: "\(config.file.path): no [tls] section; mutual TLS is the default (plain_http = true serves loopback tests only)")
        }
        var settings = PeerServer.Settings(host: host, port: port, tls: tls)
        settings.maxBodyBytes = config.maxBodyBytes
        settings.maxBatchAge = TimeInterval(config.maxBatchAgeSeconds)
        settings.idleTimeout = config.idleTimeoutSeconds
        let server = PeerServer(store: opened.store, catalog: opened.catalog, key: key, peers: config.peers, settings: settings)
        var logger = Logger(label: "hutong.serve")
        logger.logLevel = .warning
        let mode = tls == nil ? "plain HTTP (loopback tests only)" : "mutual TLS"
        let peers = config.peers.map(\.name).joined(separator: ", ")
        let (log, where_) = (logger, host)
        let failure = Blocking.run {
            try await server.run(logger: log) { bound in
                let line = "hutong serve: node \(config.nodeID) listening on \(where_):\(bound), \(mode); peers: \(peers.isEmpty ? "none configured" : peers)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        }
        if let failure { throw CommandFailure(code: ExitStatus.usage, message: "cannot serve on \(host):\(port): \(failure)") }
    }
}

/// Runs async work from a synchronous command and waits for it.
enum Blocking {
    static func run(_ body: @escaping @Sendable () async throws -> Void) -> (any Error)? {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: (any Error)?
        Task {
            do { try await body() } catch { failure = error }
            done.signal()
        }
        done.wait()
        return failure
    }
}
