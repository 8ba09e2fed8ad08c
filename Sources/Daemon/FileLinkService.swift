import Foundation
import Logging
import Node
import ServiceLifecycle
import Transport

/// Looks after every peer reached by files (`Node.exchangeFiles`) on a thread
/// of its own: every few seconds it takes what the transfer device brought
/// into each peer's `in/` folder, and writes a bundle into `out/` once the
/// last one was taken and the peer lacks something new. No connection is
/// made to these peers. Like the sync loops it has no watchdog beat: writing
/// a large bundle may rightly take minutes.
struct FileLinkService: Service {
    let node: Node
    let peers: [PeerEntry]
    /// How often the folders are looked at.
    let every: TimeInterval
    let settle: TimeInterval
    let log: Logger
    let metrics: DaemonMetrics

    func run() async throws {
        await StopFlag.running { stop in await onThread { loop(stop) } }
    }

    private func loop(_ stop: StopFlag) {
        var lastWritten: [String: String] = [:]
        while !stop.isSet {
            for p in peers where !stop.isSet {
                var last = lastWritten[p.name]
                let round = node.exchangeFiles(with: p, settleSeconds: settle, lastWritten: &last, stop: { stop.isSet })
                lastWritten[p.name] = last
                report(round)
                metrics.linked(round)
            }
            _ = stop.wake.wait(timeout: .now() + .milliseconds(Int(every * 1_000)))
        }
    }

    private func report(_ r: FileLinkRound) {
        for a in r.applied where a.refused == nil {
            let what = a.wasAppliedBefore ? "applied before; nothing changed"
                : "\(a.records) records: \(a.stored) stored, \(a.alreadyHad) already here, \(a.conflicts) conflicts, \(a.quarantined) quarantined"
            log.info("link \(r.peer): \((a.file as NSString).lastPathComponent): \(what)")
        }
        for a in r.acknowledgements where a.refused == nil && !a.alreadyKnown {
            log.info("link \(r.peer): it holds this node's log up to \(a.cursor ?? 0)")
        }
        for why in r.refused { log.warning("link \(r.peer): refused \(why) (moved to in/refused)") }
        for p in r.written { log.info("link \(r.peer): wrote \((p.path as NSString).lastPathComponent), \(p.end.records) records") }
        if let e = r.error { log.warning("link \(r.peer): \(e)") }
    }
}
