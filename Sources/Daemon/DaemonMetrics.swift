import Foundation
import Node
import Prometheus
import Transport

/// What `/metrics` shows (Prometheus text format, swift-prometheus): counters
/// of what the loops did, by source, sink and peer, and gauges of the store,
/// refreshed by the notifier. Names follow Prometheus's conventions
/// (`…_total`, `…_seconds`, `…_timestamp_seconds`).
public final class DaemonMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    public init() {}

    func captured(_ run: Node.CaptureRun) {
        guard let report = run.report else {
            registry.makeCounter(name: "hutong_capture_failures_total", labels: [("source", run.source)]).increment()
            return
        }
        for (outcome, count) in report.counts where count > 0 {
            registry.makeCounter(name: "hutong_records_captured_total", labels: [("source", run.source), ("outcome", outcome)]).increment(by: Int64(count))
        }
        if report.quarantined > 0 {
            registry.makeCounter(name: "hutong_records_quarantined_total", labels: [("source", run.source)]).increment(by: Int64(report.quarantined))
        }
        registry.makeGauge(name: "hutong_capture_last_success_timestamp_seconds", labels: [("source", run.source)]).set(Date().timeIntervalSince1970)
    }

    func sunk(_ run: Node.SinkRun) {
        guard let report = run.report else {
            registry.makeCounter(name: "hutong_sink_failures_total", labels: [("sink", run.sink)]).increment()
            return
        }
        registry.makeCounter(name: "hutong_sink_records_total", labels: [("sink", run.sink)]).increment(by: Int64(report.written))
    }

    func synced(_ s: SyncSummary) {
        let peer = [("peer", s.peer)]
        registry.makeDurationHistogram(name: "hutong_sync_duration_seconds", labels: peer,
                                       buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1), .seconds(5), .seconds(30), .seconds(120)])
            .record(.milliseconds(Int64(s.seconds * 1_000)))
        if s.error != nil {
            registry.makeCounter(name: "hutong_sync_failures_total", labels: peer).increment()
            return
        }
        registry.makeCounter(name: "hutong_records_sent_total", labels: peer).increment(by: Int64(s.pushed))
        registry.makeCounter(name: "hutong_records_received_total", labels: peer).increment(by: Int64(s.received))
        registry.makeCounter(name: "hutong_conflicts_total", labels: peer).increment(by: Int64(s.conflicts))
        registry.makeGauge(name: "hutong_sync_last_success_timestamp_seconds", labels: peer).set(Date().timeIntervalSince1970)
    }

    func reloaded(_ ok: Bool) {
        registry.makeGauge(name: "hutong_config_last_reload_successful").set(to: ok ? 1.0 : 0.0)
        if ok { registry.makeGauge(name: "hutong_config_last_reload_success_timestamp_seconds").set(Date().timeIntervalSince1970) }
    }

    /// Each peer's lag: the changes it lacks and the age of the oldest, 0 when
    /// none (cheap: read by the change log's order, up to a limit); and, read
    /// once at start, each peer's last successful sync as the store has it.
    func peers(_ node: Node, start: Bool = false) {
        guard let statuses = try? node.peerStatuses() else { return }
        for p in statuses {
            let peer = [("peer", p.entry.name)]
            registry.makeGauge(name: "hutong_peer_lag_changes", labels: peer).set(Double(p.pending.count))
            registry.makeGauge(name: "hutong_peer_lag_seconds", labels: peer).set(p.lagSeconds())
            if start, let t = p.contact.lastSync {
                registry.makeGauge(name: "hutong_sync_last_success_timestamp_seconds", labels: peer).set(t.timeIntervalSince1970)
            }
            if start { registry.makeCounter(name: "hutong_sync_failures_total", labels: peer).increment(by: Int64(0)) }
        }
    }

    /// When the store's figures were last read: counting records reads them all, so not at every tick.
    private let storeRead = NSLock()
    nonisolated(unsafe) private var storeReadAt = Date.distantPast
    static let storeEvery: TimeInterval = 30

    /// The store's figures: records by type, open conflicts, quarantine, and its files' size; at most every `storeEvery`.
    func store(_ node: Node, force: Bool = false) {
        storeRead.lock()
        let due = force || Date().timeIntervalSince(storeReadAt) >= Self.storeEvery
        if due { storeReadAt = Date() }
        storeRead.unlock()
        guard due, let info = try? node.store.info() else { return }
        for (type, count) in info.recordsByType {
            registry.makeGauge(name: "hutong_records", labels: [("type", type)]).set(Double(count))
        }
        registry.makeGauge(name: "hutong_open_conflicts").set(Double(info.openConflicts))
        registry.makeGauge(name: "hutong_quarantined").set(Double(info.quarantined))
        registry.makeGauge(name: "hutong_change_log_sequence").set(Double(info.lastSequence))
        let path = node.configuration.storePath
        let size = ["", "-wal"].compactMap { (try? FileManager.default.attributesOfItem(atPath: path + $0))?[.size] as? Int }.reduce(0, +)
        registry.makeGauge(name: "hutong_store_size_bytes").set(Double(size))
        if let free = node.storeFreeBytes() { registry.makeGauge(name: "hutong_store_disk_free_bytes").set(Double(free)) }
    }
}
