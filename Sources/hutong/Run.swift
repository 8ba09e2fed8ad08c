import ArgumentParser
import Daemon
import Foundation
import Logging
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
            One line per event on standard output (--log-format). Under systemd (Type=notify) it sends READY=1 \
            once the peer API listens, a STATUS line, WATCHDOG=1 while its loops go round, and \
            STOPPING=1. SIGTERM or SIGINT: the transactions and batches under way are finished, \
            then it exits 0. A second `hutong run` on the same store refuses to start (exit 2).
            """)
    @OptionGroup var node: NodeOptions
    @Option(help: "Sync with every peer at least this often, in seconds.") var syncSeconds: Double = 60
    @Option(help: ArgumentHelp("The operators' listener: /healthz, /readyz, /metrics; \"off\" for none.", valueName: "host:port")) var adminListen = "127.0.0.1:9464"
    @Option(help: "Log lines from this level up: trace, debug, info, notice, warning, error.") var logLevel: String = "info"
    @Option(help: "journal (a priority prefix, no timestamp; the default under systemd), plain (the default otherwise) or json.") var logFormat: String?

    func validate() throws {
        guard syncSeconds >= 0.1 else { throw ValidationError("--sync-seconds must be at least 0.1") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel): one of trace, debug, info, notice, warning, error") }
        if let logFormat, LineLogHandler.Format(rawValue: logFormat) == nil { throw ValidationError("--log-format \(logFormat): one of journal, plain, json") }
    }

    func run() throws {
        // Opened once here, so that a bad configuration is an error before anything starts.
        _ = try node.open()
        let options = node
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = logFormat.flatMap(LineLogHandler.Format.init) ?? LineLogHandler.defaultFormat()
        let log = Logger(label: "hutong") { LineLogHandler(label: $0, level: level, format: format) }
        let daemon = NodeDaemon(open: { try options.open() }, syncSeconds: syncSeconds, adminListen: adminListen == "off" ? nil : adminListen, log: log)
        if let failure = Blocking.run({ try await daemon.run() }) {
            if let e = failure as? DaemonError { throw CommandFailure(code: ExitStatus.usage, message: e.description) }
            if let e = failure as? NodeError { throw CommandFailure(e) }
            throw CommandFailure(code: ExitStatus.usage, message: "hutong run: \(failure)")
        }
    }
}
