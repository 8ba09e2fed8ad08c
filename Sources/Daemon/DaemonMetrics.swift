import Foundation
import Node
import Prometheus
import Transport

/// What `/metrics` shows (Prometheus text format, swift-prometheus): counters
/// of what the loops did, by source, sink, peer and record type, and gauges of
/// the store, refreshed by the notifier. Names follow Prometheus's conventions
/// (`…_total`, `…_seconds`, `…_timestamp_seconds`). Records that entered the
/// store are counted once under `hutong_records_stored_total`, whichever way
/// they came (`from` names the source or the peer), so that one sum answers
/// "how much arrived".
public final class DaemonMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    public init() {}

    /// Each series' `# HELP` line: what an operator reading `/metrics` needs to know.
    static let help: [String: String] = [
        "hutong_records_captured_total": "Rows read from a source, by record type and outcome (written: a new version; unchanged; deleted: a tombstone).",
        "hutong_records_stored_total": "New versions stored in this node, by record type and where they came from (a source or a peer).",
        "hutong_records_quarantined_total": "Rows or records put in quarantine, by record type and where they came from (hutong quarantine list).",
        "hutong_records_sent_total": "Records sent to a peer (pushed, or answered to its pull), by record type.",
        "hutong_records_received_total": "Records received from a peer (pulled, or pushed by it), by record type, whether or not new here.",
        "hutong_conflicts_total": "Records received from a peer that conflicted with this node's version, by record type (hutong conflicts list).",
        "hutong_capture_failures_total": "Capture runs of a source that failed (the log and hutong status say why).",
        "hutong_capture_last_success_timestamp_seconds": "When a source was last read without error (Unix time).",
        "hutong_sink_records_total": "Records written to a sink's tables.",
        "hutong_sink_failures_total": "Sink runs that failed (the log and hutong status say why).",
        "hutong_sync_failures_total": "Syncs with a peer that failed (hutong status --explain says why).",
        "hutong_sync_duration_seconds": "How long a sync with a peer took.",
        "hutong_sync_last_success_timestamp_seconds": "When a sync with a peer last succeeded (Unix time).",
        "hutong_peer_lag_changes": "Changes of this node's log a peer lacks (counted up to 100000).",
        "hutong_peer_lag_seconds": "Age of the oldest change a peer lacks; 0 when it lacks none.",
        "hutong_bundles_written_total": "Bundle files written for a peer reached by files.",
        "hutong_bundles_applied_total": "Bundle files from a peer reached by files applied here.",
        "hutong_link_files_refused_total": "Files from a peer reached by files that were refused (moved to in/refused).",
        "hutong_link_last_acknowledgement_timestamp_seconds": "When a peer reached by files last acknowledged this node's bundles (Unix time).",
        "hutong_tombstones_purged_total": "Tombstones removed by upkeep once every peer and sink had them.",
        "hutong_records": "Records in the store, by record type (tombstones not counted).",
        "hutong_open_conflicts": "Conflicts waiting for a person's decision (hutong conflicts list).",
        "hutong_quarantined": "Entries in quarantine (hutong quarantine list).",
        "hutong_change_log_sequence": "The last sequence number of this node's change log.",
        "hutong_store_size_bytes": "Size of the store's files (database and write-ahead log).",
        "hutong_store_disk_free_bytes": "Free space on the store's file system.",
        "hutong_config_last_reload_successful": "1 when the last reload (SIGHUP) was taken, 0 when it was refused.",
        "hutong_config_last_reload_success_timestamp_seconds": "When the configuration was last loaded (Unix time).",
    ]

    static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help[name] ?? "")
    }

    func counter(_ name: String, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(descriptor: Self.descriptor(name), labels: labels)
    }

    func gauge(_ name: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name), labels: labels)
    }

    func captured(_ run: Node.CaptureRun) {
        guard let report = run.report else {
            counter("hutong_capture_failures_total", [("source", run.source)]).increment()
            return
        }
        for (type, counts) in report.countsByType {
            for (outcome, count) in counts where count > 0 {
                counter("hutong_records_captured_total", [("source", run.source), ("type", type), ("outcome", outcome)])
                    .increment(by: Int64(count))
            }
            let entered = (counts["written"] ?? 0) + (counts["deleted"] ?? 0)
            if entered > 0 { stored(type, from: run.source, entered) }
        }
        for (type, count) in report.quarantinedByType where count > 0 {
            quarantined(type, from: run.source, count)
        }
        gauge("hutong_capture_last_success_timestamp_seconds", [("source", run.source)]).set(Date().timeIntervalSince1970)
    }

    func sunk(_ run: Node.SinkRun) {
        guard let report = run.report else {
            counter("hutong_sink_failures_total", [("sink", run.sink)]).increment()
            return
        }
        counter("hutong_sink_records_total", [("sink", run.sink)]).increment(by: Int64(report.written))
    }

    func synced(_ s: SyncSummary) {
        let peer = [("peer", s.peer)]
        registry.makeDurationHistogram(descriptor: Self.descriptor("hutong_sync_duration_seconds"), labels: peer,
                                       buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1), .seconds(5), .seconds(30), .seconds(120)])
            .record(.milliseconds(Int64(s.seconds * 1_000)))
        if s.error != nil {
            counter("hutong_sync_failures_total", peer).increment()
            return
        }
        exchanged(s)
        gauge("hutong_sync_last_success_timestamp_seconds", peer).set(Date().timeIntervalSince1970)
    }

    /// Records by type that went either way in an exchange: one of our syncs,
    /// or a peer's pull answered or push accepted by our server.
    @Sendable func exchanged(_ s: SyncSummary) {
        let peer = [("peer", s.peer)]
        for (type, c) in s.byType {
            let labels = peer + [("type", type)]
            if c.sent > 0 { counter("hutong_records_sent_total", labels).increment(by: Int64(c.sent)) }
            if c.received > 0 { counter("hutong_records_received_total", labels).increment(by: Int64(c.received)) }
            if c.conflicts > 0 { counter("hutong_conflicts_total", labels).increment(by: Int64(c.conflicts)) }
            if c.stored > 0 { stored(type, from: s.peer, c.stored) }
            if c.quarantined > 0 { quarantined(type, from: s.peer, c.quarantined) }
        }
    }

    /// New versions stored here: a source's written and deleted rows, a peer's applied and merged records.
    private func stored(_ type: String, from: String, _ n: Int) {
        counter("hutong_records_stored_total", [("type", type), ("from", from)]).increment(by: Int64(n))
    }

    /// Items quarantined here, from a source or a peer.
    private func quarantined(_ type: String, from: String, _ n: Int) {
        counter("hutong_records_quarantined_total", [("type", type), ("from", from)]).increment(by: Int64(n))
    }

    /// One look at a file link's folder.
    func linked(_ r: FileLinkRound) {
        let peer = [("peer", r.peer)]
        if !r.written.isEmpty { counter("hutong_bundles_written_total", peer).increment(by: Int64(r.written.count)) }
        let applied = r.applied.filter { $0.refused == nil }.count
        if applied > 0 { counter("hutong_bundles_applied_total", peer).increment(by: Int64(applied)) }
        if !r.refused.isEmpty { counter("hutong_link_files_refused_total", peer).increment(by: Int64(r.refused.count)) }
        if r.acknowledgements.contains(where: { $0.refused == nil }) {
            gauge("hutong_link_last_acknowledgement_timestamp_seconds", peer).set(Date().timeIntervalSince1970)
        }
    }

    func reloaded(_ ok: Bool) {
        gauge("hutong_config_last_reload_successful").set(to: ok ? 1.0 : 0.0)
        if ok { gauge("hutong_config_last_reload_success_timestamp_seconds").set(Date().timeIntervalSince1970) }
    }

    /// Each peer's lag: the changes it lacks and the age of the oldest, 0 when
    /// none (cheap: read by the change log's order, up to a limit); and, read
    /// once at start, each peer's last successful sync as the store has it.
    func peers(_ node: Node, start: Bool = false) {
        guard let statuses = try? node.peerStatuses() else { return }
        for p in statuses {
            let peer = [("peer", p.entry.name)]
            gauge("hutong_peer_lag_changes", peer).set(Double(p.pending.count))
            gauge("hutong_peer_lag_seconds", peer).set(p.lagSeconds())
            if start, let t = p.contact.lastSync {
                gauge("hutong_sync_last_success_timestamp_seconds", peer).set(t.timeIntervalSince1970)
            }
            if start { counter("hutong_sync_failures_total", peer).increment(by: Int64(0)) }
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
            gauge("hutong_records", [("type", type)]).set(Double(count))
        }
        gauge("hutong_open_conflicts").set(Double(info.openConflicts))
        gauge("hutong_quarantined").set(Double(info.quarantined))
        gauge("hutong_change_log_sequence").set(Double(info.lastSequence))
        if node.configuration.storeDatabase == nil {
            let path = node.configuration.storePath
            let size = ["", "-wal"].compactMap { (try? FileManager.default.attributesOfItem(atPath: path + $0))?[.size] as? Int }.reduce(0, +)
            gauge("hutong_store_size_bytes").set(Double(size))
        }
        if let free = node.storeFreeBytes() { gauge("hutong_store_disk_free_bytes").set(Double(free)) }
    }
}
