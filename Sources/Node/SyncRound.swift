import Foundation
import Store
import Transport

/// One exchange with every peer (or the ones named): push what each lacks,
/// then pull what we lack. A failing peer never stops the others: its
/// summary carries the error, and the failure is audited.
public struct SyncRound {
    public enum Direction: Sendable { case both, pushOnly, pullOnly }

    public var peers: [String]?
    public var direction: Direction = .both
    /// Records per batch.
    public var batchSize = 1_000
    /// Batches a pull asks for in one request.
    public var batchesPerRequest = 10
    /// Called with a progress line after each batch (for a terminal).
    public var progress: ((String) -> Void)?
    /// Asked while requests are under way: true abandons the exchange at once
    /// (a daemon that was told to stop). The peer's summary then says `stopped`.
    public var stop: (@Sendable () -> Bool)?
    /// Connections kept from one round to the next (a daemon's loop): a push
    /// then costs no TCP and TLS handshake. nil: a new connection per round.
    public var connections: PeerConnections?

    public init(peers: [String]? = nil) { self.peers = peers }

    /// Limits the peer API accepts, for checking options before a round.
    public static let batchSizes = PeerServer.batchSizes
    public static let batchesPerRequestRange = PeerServer.batchesPerAnswer
}

extension Node {
    /// Runs `round` and returns one summary per peer, in configuration order;
    /// `each` is called with a summary as soon as its peer is done.
    /// - Throws: `NodeError` before any exchange, when no peer is configured,
    ///   a named peer is unknown, or the signing key cannot be read.
    public func sync(_ round: SyncRound, each: (SyncSummary) -> Void = { _ in }) throws(NodeError) -> [SyncSummary] {
        let key = try signingKey()
        let peers = try round.peers.map { names throws(NodeError) in try names.map { n throws(NodeError) in try peer(named: n) } }
            ?? configuration.peers.filter { !$0.isFileLink }
        if let p = peers.first(where: \.isFileLink) {
            throw NodeError("\(p.name) is reached by bundle files only (url \(p.url)): use `hutong bundle create --for-peer \(p.name)` and `hutong bundle apply`")
        }
        if peers.isEmpty && !configuration.peers.isEmpty {
            throw NodeError("every peer in \(configuration.file.path) is reached by bundle files only: use `hutong bundle create` and `hutong bundle apply`")
        }
        if peers.isEmpty { throw NodeError("no peers configured in \(configuration.file.path); add one with `hutong peers add`") }
        var summaries: [SyncSummary] = []
        for p in peers {
            let summary = exchange(with: p, round, key: key)
            each(summary)
            summaries.append(summary)
        }
        return summaries
    }

    private func exchange(with p: PeerEntry, _ round: SyncRound, key: NodeKey) -> SyncSummary {
        let start = Date()
        var summary = SyncSummary(peer: p.name)
        do {
            let client = try round.connections?.client(p.name, clientOptions(for: p)) ?? PeerClient(clientOptions(for: p))
            let (sent, received, requests) = (client.bytesSent, client.bytesReceived, client.requests)
            let connection: any PeerConnection = round.stop.map { StoppingConnection(client, stop: $0) } ?? client
            let sync = PeerSync(store: store, catalog: catalog, key: key, peer: p, client: connection,
                                batchSize: round.batchSize, batchesPerRequest: round.batchesPerRequest, progress: round.progress)
            defer {
                let (error, stopped) = (summary.error, summary.stopped)
                summary = sync.summary
                summary.error = error
                summary.stopped = stopped
                summary.bytesSent = client.bytesSent - sent
                summary.bytesReceived = client.bytesReceived - received
                summary.requests = client.requests - requests
            }
            do {
                if round.direction != .pullOnly { try sync.push() }
                if round.direction != .pushOnly { try sync.pull() }
            } catch let e as PeerError where e.isStopped {
                summary.stopped = true
            } catch {
                summary.error = "\(error)"
            }
        } catch {
            summary.error = "\(error)"
        }
        if let e = summary.error { try? store.audit(kind: .syncFailed, detail: "peer \(p.name): \(e)") }
        // A stop is this node's doing, not news of the peer.
        if !summary.stopped { try? store.noteSync(peer: p.name, error: summary.error) }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}

/// One `PeerClient` per peer, kept while its options stay the same. A
/// client is not shared between threads: each loop keeps its own.
public final class PeerConnections {
    private var clients: [String: (options: PeerClient.Options, client: PeerClient)] = [:]

    public init() {}

    func client(_ peer: String, _ options: PeerClient.Options) throws -> PeerClient {
        if let kept = clients[peer], kept.options == options { return kept.client }
        let client = try PeerClient(options)
        clients[peer] = (options, client)
        return client
    }

    /// Closes every connection kept.
    public func closeAll() { clients.removeAll() }
}
