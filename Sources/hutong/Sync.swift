import ArgumentParser
import Foundation
import Node
import Standard
import Transport

/// `hutong sync --once`: push then pull with every peer (or one).
struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Exchange records with peers once: push what they lack, then pull what we lack.",
        discussion: """
            A failed peer never stops the others. Exit codes: 0 every peer succeeded; \
            3 at least one peer failed (its line says why); 2 usage or configuration error.
            """)
    @OptionGroup var node: NodeOptions
    @Flag(help: "Exchange once and exit.") var once = false
    @Option(help: "Only this peer.") var peer: String?
    @Flag(help: "Only push.") var pushOnly = false
    @Flag(help: "Only pull.") var pullOnly = false
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(help: "Records per batch.") var batchSize = 1_000
    @Option(help: "Batches a pull asks for in one request; the peer sends them back to back.") var pagesPerRequest = 10

    func validate() throws {
        guard once else { throw ValidationError("give --once: the command exchanges once with each peer and exits") }
        guard !(pushOnly && pullOnly) else { throw ValidationError("--push-only and --pull-only exclude each other") }
        let sizes = PeerServer.pageSizes, pages = PeerServer.pagesPerAnswer
        guard sizes.contains(batchSize) else { throw ValidationError("--batch-size must be \(sizes.lowerBound) to \(sizes.upperBound)") }
        guard pages.contains(pagesPerRequest) else { throw ValidationError("--pages-per-request must be \(pages.lowerBound) to \(pages.upperBound)") }
    }

    func run() throws {
        let opened = try node.open()
        let config = opened.config
        let key: NodeKey
        do { key = try NodeKey.read(from: config.signingKeyPath) } catch {
            throw CommandFailure(code: ExitStatus.usage, message: "\(error)")
        }
        var peers = config.peers
        if let peer {
            guard let p = config.peer(named: peer) else {
                throw CommandFailure(code: ExitStatus.usage, message: "no peer \"\(peer)\" in \(config.file.path); configured: \(config.peers.map(\.name).joined(separator: ", "))")
            }
            peers = [p]
        }
        if peers.isEmpty { throw CommandFailure(code: ExitStatus.usage, message: "no peers configured; add one with `hutong peers add`") }
        let terminal = isatty(STDERR_FILENO) == 1
        var summaries: [SyncSummary] = []
        for p in peers {
            let start = Date()
            var summary = SyncSummary(peer: p.name)
            do {
                let client = try PeerClient(PeerLink.options(for: p, config: config))
                let sync = PeerSync(store: opened.store, catalog: opened.catalog, key: key, peer: p, client: client, pageSize: batchSize, pagesPerRequest: pagesPerRequest,
                                    progress: terminal ? { line in FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) } : nil)
                defer {
                    summary = sync.summary
                    summary.bytesSent = client.bytesSent
                    summary.bytesReceived = client.bytesReceived
                    summary.requests = client.requests
                }
                do {
                    if !pullOnly { try sync.push() }
                    if !pushOnly { try sync.pull() }
                } catch {
                    var s = sync.summary
                    s.error = "\(error)"
                    summary = s
                    throw error
                }
            } catch {
                summary.error = summary.error ?? "\(error)"
                try? opened.store.audit(kind: "sync-failed", detail: "peer \(p.name): \(summary.error!)")
            }
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            summary.seconds = Date().timeIntervalSince(start)
            summaries.append(summary)
            if !json { print(Self.line(summary)) }
        }
        if json { Output.json(.array(summaries.map(\.json))) }
        if summaries.contains(where: { $0.error != nil }) { throw CommandFailure(code: 3, message: "") }
    }

    static func line(_ s: SyncSummary) -> String {
        let figures = "sent \(s.pushed), received \(s.received), applied \(s.applied), conflicts \(s.conflicts), quarantined \(s.quarantined)"
            + (s.pushRejected > 0 ? ", rejected by peer \(s.pushRejected)" : "")
            + String(format: ", %.2f s, %.1f MB out / %.1f MB in", s.seconds, Double(s.bytesSent) / 1e6, Double(s.bytesReceived) / 1e6)
        if let e = s.error { return "\(s.peer): FAILED: \(e) (\(figures))" }
        return "\(s.peer): ok: \(figures)"
    }
}

/// How this node reaches a peer: its TLS material and the peer's pin.
enum PeerLink {
    static func options(for p: PeerEntry, config: NodeConfiguration) -> PeerClient.Options {
        var o = PeerClient.Options(baseURL: p.url.hasSuffix("/") ? String(p.url.dropLast()) : p.url)
        if let tls = config.tls, p.url.hasPrefix("https://") {
            o.certificate = tls.certificate
            o.key = tls.key
            o.ca = tls.ca
            o.pin = p.pin
        }
        return o
    }
}
