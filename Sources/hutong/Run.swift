import ArgumentParser
import Daemon
import Foundation
import Node

/// `hutong run`: the daemon, as systemd runs it (`Type=notify`) or by hand.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node: serve the peers, follow every source and sink, sync with every peer, until SIGTERM.",
        discussion: """
            One process for everything the node does: the peer API on [server] listen; every \
            [[sources]] followed and every [[sinks]] written as with `hutong capture --follow`; \
            every peer synced on a loop of its own, every --sync-seconds and at once after a \
            capture stored something (a failing peer is tried again after a wait that doubles). \
            One line per event on standard output. Under systemd (Type=notify) it sends READY=1 \
            once the peer API listens, a STATUS line, WATCHDOG=1 while its loops go round, and \
            STOPPING=1. SIGTERM or SIGINT: the transactions and batches under way are finished, \
            then it exits 0. A second `hutong run` on the same store refuses to start (exit 2).
            """)
    @OptionGroup var node: NodeOptions
    @Option(help: "Sync with every peer at least this often, in seconds.") var syncSeconds: Double = 60

    func validate() throws {
        guard syncSeconds >= 0.1 else { throw ValidationError("--sync-seconds must be at least 0.1") }
    }

    func run() throws {
        // Opened once here, so that a bad configuration is an error before anything starts.
        _ = try node.open()
        let options = node
        let daemon = NodeDaemon(open: { try options.open() }, syncSeconds: syncSeconds) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        if let failure = Blocking.run({ try await daemon.run() }) {
            if let e = failure as? DaemonError { throw CommandFailure(code: ExitStatus.usage, message: e.description) }
            if let e = failure as? NodeError { throw CommandFailure(e) }
            throw CommandFailure(code: ExitStatus.usage, message: "hutong run: \(failure)")
        }
    }
}
