import Dispatch
import Foundation
import Logging
import NIOCore
import Node
import Store
import ServiceLifecycle
import UnixSignals
import Transport

/// `hutong run`: one process that serves the peers, follows every source
/// and sink, and syncs with every peer, as a `ServiceGroup` of small
/// services that SIGTERM stops gracefully (each finishes the transaction or
/// batch under way) and that tells systemd how it is (`SystemdNotifier`).
/// SIGHUP reads the configuration again: a good one replaces the running
/// group (its work finished first); a bad one is refused, and the node runs
/// on as it was.
public struct NodeDaemon: Sendable {
    /// Opens the node as its configuration file says now.
    let open: @Sendable () throws -> Node
    /// What `hutong run`'s options say, above the configuration's `[daemon]`.
    let overrides: Overrides
    let notifier: SystemdNotifier
    let heartbeat = Heartbeat()
    /// One line per event (a capture, a sink, a sync, a state change); no
    /// secret is ever in one. Its level is set from `[daemon]` at each start and reload.
    let log: Logger
    public let metrics = DaemonMetrics()
    let state = DaemonState()

    /// `hutong run`'s options; nil: as `[daemon]` says.
    public struct Overrides: Sendable {
        public var syncSeconds: Double?
        /// HOST:PORT, or "off".
        public var adminListen: String?
        public var logLevel: String?
        public init(syncSeconds: Double? = nil, adminListen: String? = nil, logLevel: String? = nil) {
            self.syncSeconds = syncSeconds; self.adminListen = adminListen; self.logLevel = logLevel
        }

        func applied(to d: NodeConfiguration.DaemonSettings) -> NodeConfiguration.DaemonSettings {
            var d = d
            if let syncSeconds { d.syncSeconds = syncSeconds }
            if let adminListen { d.adminListen = adminListen == "off" ? nil : adminListen }
            if let logLevel { d.logLevel = logLevel }
            return d
        }
    }

    public init(open: @escaping @Sendable () throws -> Node, overrides: Overrides = Overrides(),
                notifier: SystemdNotifier = SystemdNotifier(), log: Logger) {
        self.open = open
        self.overrides = overrides
        self.notifier = notifier
        self.log = log
    }

    /// Runs until SIGTERM or SIGINT. The state lock is taken first: a second
    /// daemon on the same SQLite store refuses to start; on a PostgreSQL
    /// store it stands by until the active one stops (`standBy`).
    public func run() async throws {
        var node = try open()
        let lock: AnyObject
        var active: ActiveNodeLock?
        if let store = node.store as? PostgresNodeStore {
            active = try await standBy(ActiveNodeLock(store))
            lock = active!
        } else {
            lock = try StateLock(store: node.configuration.storePath)
        }
        defer { withExtendedLifetime(lock) {} }
        while true {
            let reload = Reload()
            try await run(node, reload: reload, active: active)
            guard let next = reload.next else { return }
            node = next
            log.info("reloaded: \(node.configuration.file.path)")
        }
    }

    /// How often the folders of peers reached by files are looked at, at most.
    static let linkLookSeconds: TimeInterval = 5

    /// How often a standby tries to become the active process, and the active one checks it still is.
    static let activeCheckSeconds: Double = 1

    /// Waits until this process holds the store's active lock: two `hutong
    /// run` on one PostgreSQL store (two machines, for availability) serve
    /// and capture one at a time. The standby tells systemd it is ready
    /// (it is, to take over) and keeps its watchdog fed.
    func standBy(_ lock: ActiveNodeLock) async throws -> ActiveNodeLock {
        var told = false
        var lastError: String?
        while true {
            do {
                if try lock.tryTake() {
                    log.info("active: this process now captures, serves and syncs for the store \(lock.target)")
                    return lock
                }
                lastError = nil
                if !told {
                    log.notice("standing by: another hutong process is active on the store \(lock.target); this one takes over when it stops")
                    notifier.ready(status: "standing by: another process is active on \(lock.target)")
                    told = true
                }
            } catch {
                let text = "\(error)"
                if text != lastError { log.warning("standing by: cannot reach the store: \(text); trying again") }
                lastError = text
            }
            notifier.watchdog()
            try await Task.sleep(for: .seconds(Self.activeCheckSeconds))
        }
    }

    /// Returns (throws) once the active lock is no longer this process's: the
    /// standby may hold it by now, and two active processes must never run.
    func watch(_ lock: ActiveNodeLock) async throws {
        while true {
            try await Task.sleep(for: .seconds(Self.activeCheckSeconds))
            guard lock.isHeld else {
                throw DaemonError("lost the connection that holds the store's active lock (\(lock.target)); stopping, so that one process at a time is active (systemd starts this one again as a standby)")
            }
        }
    }

    /// One group of services for `node`, until SIGTERM (nil `reload.next`) or an accepted SIGHUP.
    func run(_ node: Node, reload: Reload, active: ActiveNodeLock? = nil) async throws {
        let listening = Listening()
        // Peers reached by bundle files have no loop: no connection is made to them.
        let push = PeerWakers(node.configuration.peers.filter { !$0.isFileLink }.map(\.name))
        var logger = Logger(label: "hutong")
        logger.logLevel = .warning
        var services: [any Service] = []
        let c = node.configuration
        let settings = overrides.applied(to: c.daemon)
        var log = self.log
        log.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
        state.notReady("starting")
        state.adminUnbound()
        if let adminListen = settings.adminListen {
            guard let (host, port) = NodeConfiguration.hostAndPort(adminListen) else {
                throw DaemonError("--admin-listen \(adminListen) must be HOST:PORT, e.g. 127.0.0.1:9464")
            }
            services.append(AdminServer(node: node, host: host, port: port, metrics: metrics, heartbeat: heartbeat, state: state,
                                        staleAfter: settings.staleAfterSeconds).application(logger: logger))
        }
        if c.tls == nil && !c.plainHTTP {
            // Capture and sinks still run; peers cannot reach this node until [tls] is configured.
            listening.off("no [tls] section in \(c.file.path)")
            log.warning("peer API not served: no [tls] section in \(c.file.path) (docs/configuration.md); capture and sinks run")
        } else {
            services.append(try node.server(exchanged: metrics.exchanged).service(logger: logger) { port in listening.bound(port) })
        }
        if !c.sources.isEmpty || !c.sinks.isEmpty {
            services.append(CaptureService(node: node, heartbeat: heartbeat, log: log, metrics: metrics, stored: push.wakeAll))
        }
        if !push.semaphores.isEmpty {
            services.append(SyncService(node: node, interval: settings.syncSeconds, log: log, metrics: metrics, wakers: push))
        }
        let fileLinks = c.peers.filter(\.isFileLink)
        if !fileLinks.isEmpty {
            services.append(FileLinkService(node: node, peers: fileLinks, every: min(settings.syncSeconds, Self.linkLookSeconds),
                                            settle: settings.linkSettleSeconds, log: log, metrics: metrics))
        }
        services.append(MaintenanceService(node: node, log: log, metrics: metrics))
        services.append(NotifyService(daemon: self, log: log, admin: settings.adminListen != nil, listening: listening, summary: "node \(c.nodeID): \(c.sources.count) sources, \(c.sinks.count) sinks, \(c.peers.count) peers", reload: reload, node: node))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        reload.group = group
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do { try await group.run() } catch let e as IOError where e.errnoCode == EADDRINUSE {
                    throw DaemonError("cannot listen: [server] listen \(c.listenHost):\(c.listenPort) or the admin listener \(settings.adminListen ?? "(off)") is taken by another program; free the port or change it in \(c.file.path)")
                }
            }
            tasks.addTask { await watchReload(node, reload: reload) }
            if let active { tasks.addTask { try await watch(active) } }
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    /// Waits for SIGHUP; a configuration that opens replaces the running
    /// group, one that does not is refused with its error.
    func watchReload(_ node: Node, reload: Reload) async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            notifier.reloading()
            do {
                let next = try open()
                guard next.configuration.storeName == node.configuration.storeName else {
                    throw DaemonError("[store] changed to \(next.configuration.storeName); a node's store cannot change while it runs: stop it, move the store, start it")
                }
                reload.next = next
                metrics.reloaded(true)
                log.info("reloading: the work under way is finished first")
                await reload.group?.triggerGracefulShutdown()
                break
            } catch {
                let why = (error as? NodeError)?.description ?? (error as? DaemonError)?.description ?? "\(error)"
                log.warning("reload refused, running on as before: \(why)")
                metrics.reloaded(false)
                notifier.notify("READY=1\n" + SystemdNotifier.statusLine("reload refused: \(why)"))
            }
        }
        // The group finishes its work and ends the run; this waits to be cancelled then.
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3_600)) }
    }
}

/// What a SIGHUP decided: the node to run next (nil: stop), and the group to stop for it.
final class Reload: @unchecked Sendable {
    private let lock = NSLock()
    private var _next: Node?
    private var _group: ServiceGroup?
    var next: Node? {
        get { lock.lock(); defer { lock.unlock() }; return _next }
        set { lock.lock(); _next = newValue; lock.unlock() }
    }
    var group: ServiceGroup? {
        get { lock.lock(); defer { lock.unlock() }; return _group }
        set { lock.lock(); _group = newValue; lock.unlock() }
    }
}

/// Runs `body` on a thread of its own (a loop that blocks on files, sockets
/// and semaphores must not hold one of the few cooperative threads) and
/// returns once it has ended.
func onThread(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        Thread.detachNewThread {
            body()
            done.resume()
        }
    }
}

/// One semaphore a peer, signalled together: a capture that stored something
/// wakes every peer's sync loop for a push.
final class PeerWakers: Sendable {
    let semaphores: [(peer: String, wake: DispatchSemaphore)]
    init(_ peers: [String]) { semaphores = peers.map { ($0, DispatchSemaphore(value: 0)) } }
    @Sendable func wakeAll() { for s in semaphores { s.wake.signal() } }
}

/// Where the peer server listens, once it does (or why it does not).
final class Listening: @unchecked Sendable {
    private let lock = NSLock()
    private var state: String?
    func bound(_ p: Int) { lock.lock(); state = "peer API on port \(p)"; lock.unlock() }
    func off(_ why: String) { lock.lock(); state = "peer API off (\(why))"; lock.unlock() }
    var description: String? { lock.lock(); defer { lock.unlock() }; return state }
}

/// Follows every source and sink (`Node.follow`) on a thread of its own;
/// a graceful shutdown lets it finish the transaction under way.
struct CaptureService: Service {
    let node: Node
    let heartbeat: Heartbeat
    let log: Logger
    let metrics: DaemonMetrics
    let stored: @Sendable () -> Void

    func run() async throws {
        await StopFlag.running { stop in
            await onThread {
                node.follow(stop: { heartbeat.beat("capture"); return stop.isSet }, wake: stop.wake, sunk: { run in
                    metrics.sunk(run)
                    if let r = run.report?.summary { log.info("sink \(run.sink): \(r)") } else if let e = run.error { log.warning("sink \(run.sink): failed: \(e)") }
                }) { run in
                    metrics.captured(run)
                    if let report = run.report {
                        log.info("capture \(run.source): \(report.summary ?? "no changes")")
                        if (report.counts["written"] ?? 0) + (report.counts["deleted"] ?? 0) > 0 { stored() }
                    } else if let e = run.error {
                        log.warning("capture \(run.source): failed: \(e)")
                    }
                }
                heartbeat.forget("capture")
            }
        }
    }
}

/// Syncs with every peer: each peer on a loop of its own, so that a slow or
/// failing one never holds up the others; every `interval`, and at once
/// (pushing what is new) when a capture stored something. A peer that fails
/// is tried again after a wait that doubles up to the interval's tenfold,
/// with jitter, so that nodes restarted together do not knock together.
struct SyncService: Service {
    let node: Node
    let interval: TimeInterval
    let log: Logger
    let metrics: DaemonMetrics
    let wakers: PeerWakers

    func run() async throws {
        await StopFlag.running({ stop in
            await withTaskGroup(of: Void.self) { group in
                for (peer, wake) in wakers.semaphores {
                    group.addTask { await onThread { loop(peer, wake: wake, stop: stop) } }
                }
            }
        }, onStop: wakers.wakeAll)
    }

    /// Seconds a connection to a peer is kept open without a sync.
    static let keepConnection: TimeInterval = 2

    private func loop(_ peer: String, wake: DispatchSemaphore, stop: StopFlag) {
        var failures = 0
        // The connection to the peer, kept between syncs while they come often.
        let connections = PeerConnections()
        while !stop.isSet {
            var round = SyncRound(peers: [peer])
            round.batchSize = 1_000
            // A stop abandons a request under way (a stalled peer) instead of waiting out its timeout.
            round.stop = { stop.isSet }
            round.connections = connections
            let summary: SyncSummary
            do { summary = try node.sync(round).first ?? SyncSummary(peer: peer) } catch {
                var s = SyncSummary(peer: peer)
                s.error = "\(error)"
                summary = s
            }
            if summary.stopped {
                log.info("sync \(peer): abandoned for a stop or reload; what was applied stays, and the next sync resumes from its cursor")
                break
            }
            metrics.synced(summary)
            if let e = summary.error {
                failures += 1
                log.warning("sync \(peer): failed: \(e)")
            } else {
                if failures > 0 { log.info("sync \(peer): reachable again") }
                failures = 0
                if summary.pushed + summary.applied + summary.conflicts + summary.quarantined > 0 {
                    log.info("sync \(peer): sent \(summary.pushed), received \(summary.received), applied \(summary.applied), conflicts \(summary.conflicts), quarantined \(summary.quarantined)")
                }
            }
            let wait = failures == 0 ? interval : min(interval * 10, interval * pow(2, Double(min(failures, 10)) - 1)) * Double.random(in: 0.8...1.2)
            // The connection is kept through a burst of changes; an idle loop
            // holds none open (a peer's graceful stop waits for its open connections).
            if wake.wait(timeout: .now() + .milliseconds(Int(min(wait, Self.keepConnection) * 1_000))) == .timedOut {
                connections.closeAll()
                if wait > Self.keepConnection { _ = wake.wait(timeout: .now() + .milliseconds(Int((wait - Self.keepConnection) * 1_000))) }
            }
            // Captures while the last push ran: one push for all of them.
            while wake.wait(timeout: .now()) == .success {}
        }
    }
}

/// Tells systemd: READY=1 once the server listens (and the loops started),
/// a STATUS line, WATCHDOG=1 only while every loop goes round, STOPPING=1.
struct NotifyService: Service {
    let daemon: NodeDaemon
    let log: Logger
    /// Whether an admin listener is to be waited for.
    let admin: Bool
    let listening: Listening
    let summary: String
    let reload: Reload
    let node: Node

    func run() async throws {
        let notifier = daemon.notifier
        // The peer server, and the admin listener when there is one.
        while listening.description == nil || (admin && daemon.state.adminPort == nil) {
            try await Task.sleep(for: .milliseconds(10))
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
        }
        let admin = daemon.state.adminPort.map { "; admin on port \($0)" } ?? ""
        let status = "\(summary); \(listening.description!)\(admin)"
        daemon.metrics.store(node, force: true)
        daemon.metrics.peers(node, start: true)
        daemon.state.ready()
        notifier.ready(status: status)
        log.info("ready: \(status)")
        let interval = notifier.watchdogInterval ?? 5
        let limit = (notifier.watchdogInterval ?? 5) * 2
        var rest = RestWatch()
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                daemon.metrics.store(node)
                daemon.metrics.peers(node)
                if rest.settled(try? node.store.lastSequence()) {
                    node.store.releaseMemory()
                    RestWatch.trimHeap()
                    RestWatch.releaseCode()
                }
                let stuck = daemon.heartbeat.silent(longerThan: limit)
                if stuck.isEmpty {
                    if notifier.watchdogInterval != nil { notifier.watchdog() }
                } else {
                    notifier.status("\(summary); not going round: \(stuck.joined(separator: ", "))")
                    log.warning("watchdog: \(stuck.joined(separator: ", ")) silent for more than \(Int(limit)) s")
                }
                // Woken by a graceful shutdown, not left to sleep it out.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(interval * 1_000))) }
            }
        } onGracefulShutdown: {
            // A reload's stop is not the service's: systemd waits for READY=1 again.
            daemon.state.notReady(reload.next == nil ? "stopping" : "reloading")
            guard reload.next == nil else { return }
            notifier.stopping()
            log.info("stopping: finishing the work under way")
        }
    }
}

/// The store's upkeep: a minute after start, then hourly, the tombstones
/// that every peer and sink has are removed (`Node.purgeTombstones`).
struct MaintenanceService: Service {
    let node: Node
    let log: Logger
    let metrics: DaemonMetrics
    static let first: Duration = .seconds(60)
    static let every: Duration = .seconds(3_600)

    func run() async throws {
        var wait = Self.first
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let pause = wait
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) } } catch { return }
            wait = Self.every
            do {
                let n = try node.purgeTombstones()
                if n > 0 {
                    metrics.counter("hutong_tombstones_purged_total").increment(by: Int64(n))
                    log.info("maintenance: \(n) tombstones removed (every peer and sink has them)")
                }
            } catch {
                log.warning("maintenance: removing tombstones failed: \(error)")
            }
        }
    }
}
