import Capture
import Dispatch
import Foundation
import Postgres
import Sink

extension Node {
    /// Captures every source until `stop` says so (`hutong capture --follow`):
    /// a source is read as soon as its signal says it changed (PostgreSQL's
    /// NOTIFY wakes the loop at once; SQLite's commits are seen within
    /// `Follow.glance`), and every `pollSeconds` in any case. A source that
    /// fails is tried again after a wait that doubles up to a minute, its
    /// error noted for `hutong status`; the other sources go on meanwhile.
    public func follow(pollSeconds: TimeInterval = 5, transactionSize: Int = Intake.defaultTransactionSize, stop: @escaping @Sendable () -> Bool,
                       wake: DispatchSemaphore = DispatchSemaphore(value: 0), sunk: (SinkRun) -> Void = { _ in }, each: (CaptureRun) -> Void) {
        let intake = Intake(store: store, catalog: catalog, transactionSize: transactionSize)
        var followers = configuration.sources.map { Follow(settings: $0) }
        let glancing = configuration.sources.contains { !$0.isScan && !PostgresTarget.isURL($0.database) }
        // The sinks write what changed in the store (captured here, or
        // received from peers by another process), looked at every `Follow.sinkGlance`.
        var sinkedUpTo: Int64 = -1
        var nextSinkLook = Date.distantPast
        var sinkRetryAt = Date.distantPast
        var sinks: [String: Sink] = [:]
        while !stop() {
            let now = Date()
            var stored = false
            for i in followers.indices {
                if let run = step(&followers[i], intake: intake, now: now, pollSeconds: pollSeconds, wake: wake) {
                    stored = stored || run.report != nil
                    each(run)
                }
                if stop() { break }
            }
            if !configuration.sinks.isEmpty, stored || now >= nextSinkLook, now >= sinkRetryAt,
               let last = try? store.lastSequence(), last != sinkedUpTo {
                nextSinkLook = now.addingTimeInterval(Follow.sinkGlance)
                let runs = drainSinks(opened: &sinks)
                for run in runs where run.error != nil || run.report?.summary != nil { sunk(run) }
                if runs.allSatisfy({ $0.error == nil }) { sinkedUpTo = last } else { sinkRetryAt = now.addingTimeInterval(5) }
            } else if now >= nextSinkLook {
                nextSinkLook = now.addingTimeInterval(Follow.sinkGlance)
            }
            // Until the next glance at a SQLite source's commits (PostgreSQL's
            // NOTIFY wakes the loop itself), the sinks' next look, or sooner when
            // a source asked to be read again soon: an idle node sleeps.
            var soonest = followers.map(\.nextPoll).min().map { $0.timeIntervalSinceNow } ?? 1
            // A commit seen being written may not have been readable yet.
            if followers.contains(where: { $0.signal?.looksAgain == true }) { soonest = min(soonest, Follow.again) }
            // Quick while commits come, slower once a second has passed without one.
            let busy = followers.contains { $0.lastSignal.map { now.timeIntervalSince($0) < 1 } ?? false }
            // Sources whose signal wakes the loop by itself (inotify) need looks only as a fallback.
            let woken = followers.allSatisfy { $0.settings.isScan || $0.signal?.wakes == true || PostgresTarget.isURL($0.settings.database) }
            let idle = woken ? (configuration.sinks.isEmpty ? 1 : Follow.sinkGlance) : Follow.idleGlance
            let glance = glancing ? (busy ? Follow.glance : idle) : configuration.sinks.isEmpty ? 1 : Follow.sinkGlance
            let wait = max(0.001, min(glance, soonest))
            _ = wake.wait(timeout: .now() + .microseconds(Int(wait * 1_000_000)))
        }
    }

    /// One source's turn: opened if it is not (and its wait is over), read if its signal or its poll says so.
    private func step(_ f: inout Follow, intake: Intake, now: Date, pollSeconds: TimeInterval, wake: DispatchSemaphore) -> CaptureRun? {
        let name = f.settings.name
        do {
            if f.source == nil {
                guard now >= f.retryAt else { return nil }
                let source = try openSource(f.settings)
                f.signal = try source.sourceTable.changeSignal(wake: wake)
                f.source = source
                f.nextPoll = .distantPast
            }
            guard let source = f.source else { return nil }
            let signalled: Bool
            if f.settings.isScan {
                // A scan runs every scan_seconds, and not at all while the
                // database's signal (SQLite's data_version) says nothing changed.
                guard now >= f.nextPoll else { return nil }
                f.nextPoll = now.addingTimeInterval(TimeInterval(f.settings.scanSeconds))
                guard f.signal?.changed() ?? true else { return nil }
                signalled = false
            } else {
                signalled = f.signal?.changed() == true
                if signalled { f.lastSignal = now }
                guard signalled || now >= f.nextPoll else { return nil }
                f.nextPoll = now.addingTimeInterval(pollSeconds)
            }
            var reading = source
            let report = try intake.run(&reading)
            // Notes still there after a read that took all it could: held back
            // by a transaction still open (PostgreSQL's fence) or written
            // meanwhile. Read again in a moment rather than at the next wake-up.
            if signalled, source.readAgainSoon() {
                f.nextPoll = Date().addingTimeInterval(Follow.again)
            }
            if f.failures > 0 || f.lastSuccess.map({ now.timeIntervalSince($0) > 60 }) ?? true {
                try? store.noteSourceRun(name, error: nil)
                f.lastSuccess = now
            }
            f.failures = 0
            return report.summary == nil ? nil : CaptureRun(source: name, report: report, error: nil)
        } catch {
            let message = (error as? NodeError)?.description ?? (error as? CaptureError)?.description ?? "source \(name): \(error)"
            f.source = nil
            f.signal = nil
            f.failures += 1
            let wait = min(60, pow(2, Double(min(f.failures, 6)) - 1))
            f.retryAt = now.addingTimeInterval(wait)
            try? store.noteSourceRun(name, error: message)
            return CaptureRun(source: name, report: nil, error: message + " (trying again in \(Int(wait)) s)")
        }
    }
}

/// What following one source keeps between turns.
struct Follow {
    let settings: NodeConfiguration.SourceSettings
    var source: (any TableSource)?
    var signal: (any ChangeSignal)?
    var nextPoll = Date.distantPast
    var retryAt = Date.distantPast
    var failures = 0
    var lastSuccess: Date?
    /// When its signal last said it changed.
    var lastSignal: Date?
    /// How long the loop sleeps when nothing wakes it: how late a SQLite commit
    /// may be seen while commits come, and after a quiet second (an idle node
    /// then wakes ten times a second, not fifty), where inotify does not wake it.
    static let glance: TimeInterval = 0.02
    static let idleGlance: TimeInterval = 0.1
    /// How soon a source with notes held back is read again, or one whose
    /// signal saw a commit being written (`ChangeSignal.looksAgain`).
    static let again: TimeInterval = 0.003
    /// How often the store is looked at for changes the sinks have not written.
    static let sinkGlance: TimeInterval = 0.5
}
