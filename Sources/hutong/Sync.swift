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
    @Flag(help: "Exchange once with each peer, then exit (what sync does; the flag is accepted for clarity in scripts).") var once = false
    @Option(help: "Only this peer.") var peer: String?
    @Flag(help: "Only push.") var pushOnly = false
    @Flag(help: "Only pull.") var pullOnly = false
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(help: "Records per batch.") var batchSize = 1_000
    @Option(help: "Batches a pull asks for in one request; the peer sends them back to back.") var batchesPerRequest = 10

    func validate() throws {
        guard !(pushOnly && pullOnly) else { throw ValidationError("--push-only and --pull-only exclude each other") }
        let sizes = SyncRound.batchSizes, batches = SyncRound.batchesPerRequestRange
        guard sizes.contains(batchSize) else { throw ValidationError("--batch-size must be \(sizes.lowerBound) to \(sizes.upperBound)") }
        guard batches.contains(batchesPerRequest) else { throw ValidationError("--batches-per-request must be \(batches.lowerBound) to \(batches.upperBound)") }
    }

    func run() throws {
        let opened = try node.open()
        var round = SyncRound(peers: peer.map { [$0] })
        round.direction = pushOnly ? .pushOnly : pullOnly ? .pullOnly : .both
        round.batchSize = batchSize
        round.batchesPerRequest = batchesPerRequest
        let terminal = isatty(STDERR_FILENO) == 1
        if terminal { round.progress = { line in FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) } }
        let summaries: [SyncSummary]
        do {
            summaries = try opened.sync(round) { summary in
                if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                if !json { print(Self.line(summary)) }
            }
        } catch { throw CommandFailure(error) }
        if json { Output.json(.array(summaries.map(\.json))) }
        if summaries.contains(where: { $0.error != nil }) { throw CommandFailure(code: ExitStatus.peerFailed, message: "") }
    }

    static func line(_ s: SyncSummary) -> String {
        let figures = "sent \(s.pushed), received \(s.received), applied \(s.applied), conflicts \(s.conflicts), quarantined \(s.quarantined)"
            + (s.pushRejected > 0 ? ", rejected by peer \(s.pushRejected)" : "")
            + String(format: ", %.2f s, %.1f MB out / %.1f MB in", s.seconds, Double(s.bytesSent) / 1e6, Double(s.bytesReceived) / 1e6)
        if let e = s.error { return "\(s.peer): FAILED: \(e) (\(figures))" }
        return "\(s.peer): ok: \(figures)"
    }
}
