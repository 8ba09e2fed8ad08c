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
    @Option(help: "Sync with every peer at least this often, in seconds ([daemon] sync_seconds, default 60).") var syncSeconds: Double?
    @Option(help: ArgumentHelp("The operators' listener: the status page, /healthz, /readyz, /metrics; \"off\" for none ([daemon] admin_listen, default 127.0.0.1:9464).", valueName: "host:port"))
    var adminListen: String?
    @Option(help: "Log lines from this level up: trace, debug, info, notice, warning, error ([daemon] log_level, default info).") var logLevel: String?
    @Option(help: "journal (a priority prefix, no timestamp; the default under systemd), plain (the default otherwise) or json ([daemon] log_format).") var logFormat: String?

    func validate() throws {
        if let syncSeconds, syncSeconds < 0.1 { throw ValidationError("--sync-seconds must be at least 0.1") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil { throw ValidationError("--log-level \(logLevel): one of trace, debug, info, notice, warning, error") }
        if let logFormat, LineLogHandler.Format(rawValue: logFormat) == nil { throw ValidationError("--log-format \(logFormat): one of journal, plain, json") }
        if let adminListen, adminListen != "off", NodeConfiguration.hostAndPort(adminListen) == nil {
            throw ValidationError("--admin-listen \(adminListen) must be HOST:PORT, e.g. 127.0.0.1:9464, or off")
        }
    }

    func run() throws {
        // Opened once here, so that a bad configuration is an error before anything starts.
        let first = try node.open().configuration.daemon
        let options = node
        let format = (logFormat ?? first.logFormat).flatMap(LineLogHandler.Format.init) ?? LineLogHandler.defaultFormat()
        // The level is set again from [daemon] at each start and reload.
        let log = Logger(label: "hutong") { LineLogHandler(label: $0, level: .info, format: format) }
        let overrides = NodeDaemon.Overrides(syncSeconds: syncSeconds, adminListen: adminListen, logLevel: logLevel)
        let daemon = NodeDaemon(open: { try options.open() }, overrides: overrides, log: log)
        if let failure = Blocking.run({ try await daemon.run() }) {
            if let e = failure as? DaemonError { throw CommandFailure(code: ExitStatus.usage, message: e.description) }
            if let e = failure as? NodeError { throw CommandFailure(e) }
            throw CommandFailure(code: ExitStatus.usage, message: "hutong run: \(failure)")
        }
    }
}
