import Foundation
import Replication
import Standard
import Store

/// Takes what a source yields into the node store. Plain standard records are
/// validated and become local writes; a file that starts with a batch header
/// (`hutong export`) is applied exactly as a batch received from the node that
/// wrote it. Whatever cannot be used goes to quarantine with the place it came
/// from and the reason; the rest is stored in transactions of about
/// `transactionSize` items, and the source is told after each.
///
/// Stages, so that both cores work: the source reads a batch on this thread;
/// the batch is checked on every core (mapped by the source's finisher,
/// parsed, validated, its records made ready for the store: `Intake+Check`)
/// while the next is read; then taken in order here (`Intake.State`: what is
/// stored, applied or quarantined); then stored by the `WriteBehind` thread
/// while the next batches are read and checked.
public struct Intake: Sendable {
    let store: any LocalWriter & BatchSink & CaptureLedger
    let catalog: StandardCatalog
    let transactionSize: Int
    let workers: Int
    private let laneCatalogs = Lazily<[StandardCatalog]>()

    /// Items a transaction takes when nothing else is said. A transaction
    /// closes early at the end of what a source has now, so this counts only
    /// in bulk (an import, a first snapshot): there, the record ids are
    /// hashes, each new record lands on a random page of the id index, and
    /// every page a transaction changes goes to the write-ahead log whole. At
    /// a million records, transactions of 1,000 changed a quarter of the
    /// index's pages each (14 KB written a record); 10,000 change most of them
    /// once (under 6 KB a record), for some 60 MB more memory at the peak
    /// (Benchmarks/README.md, "Normalisation").
    public static let defaultTransactionSize = 10_000

    public init(store: any LocalWriter & BatchSink & CaptureLedger, catalog: StandardCatalog, transactionSize: Int = Intake.defaultTransactionSize,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.store = store
        self.catalog = catalog
        self.transactionSize = max(1, transactionSize)
        self.workers = max(1, workers)
    }

    /// Everything `source` has now.
    /// - Throws: `IntakeError` for an export whose header is not valid (nothing
    ///   of it is applied), and the store's errors.
    public func run<S: RecordSource>(_ source: inout S) throws -> IntakeReport {
        var state = State(intake: self, sourceName: source.name, mapping: source.mappingFile, recordType: source.recordType, ledger: source.ledger)
        if let mapping = source.mappingFile { state.quarantinedPlaces = try store.quarantinedPlaces(mapping: mapping) }
        let writer = WriteBehind()
        // Whatever happens here, nothing is written after `run` returns.
        defer { writer.drain() }

        /// Waits until at most `left` transactions are in flight, counting what
        /// each did, and lets the source go of what it held: positions are
        /// acknowledged only once stored, in order.
        func settle(_ source: inout S, leaving left: Int = 0) throws {
            while writer.inFlight > left, let (positions, outcome) = writer.oldest() {
                try outcome.get()(&state.report)
                for p in positions { try source.acknowledge(p) }
            }
        }
        func submit(_ job: Job, _ source: inout S) throws {
            try settle(&source, leaving: WriteBehind.depth - 1)
            writer.start(job)
        }

        /// Takes a checked batch in order, handing transactions to the writer.
        func take(_ batch: CapturedBatch, _ checks: [(CapturedItem, Checked)], _ source: inout S) throws {
            for (item, checked) in checks {
                try state.add(item, checked)
                if state.pending >= transactionSize, let job = state.take(final: false) { try submit(job, &source) }
            }
            state.positions.append(batch.position)
            if state.pending >= transactionSize || state.pending == 0, let job = state.take(final: false) { try submit(job, &source) }
        }

        // The standard once for each core that checks records, loaded when a
        // batch is large enough to share out (as `Mapping.copies`, and why).
        var lanes: [StandardCatalog] = []
        // A batch is mapped and checked on the lanes while the next is read
        // here and the one before is stored.
        var checking: (batch: CapturedBatch, checks: Checking)?
        defer { _ = checking?.checks.wait() }
        while let batch = try source.next() {
            if lanes.isEmpty { lanes = catalogs(for: batch.items.count) }
            let next = (batch, Checking(self, batch.items, lanes: lanes, finisher: source.finisher))
            if let (previous, checks) = checking { try take(previous, checks.wait(), &source) }
            checking = next
        }
        if let (previous, checks) = checking {
            checking = nil
            try take(previous, checks.wait(), &source)
        }
        if let job = state.take(final: true) { try submit(job, &source) }
        try settle(&source)
        return state.report
    }
}

extension Intake {
    /// The standard for each lane: one lane for a batch too small to share
    /// out; else the catalog and copies loaded again, kept for the intake's
    /// next runs (an inbox's files).
    func catalogs(for items: Int) -> [StandardCatalog] {
        guard workers > 1, items >= 2 * Lanes.smallest else { return [catalog] }
        return laneCatalogs.get {
            [catalog] + (1..<workers).map { _ in (try? StandardCatalog(directory: catalog.directory, options: catalog.options)) ?? catalog }
        }
    }
}

/// Made once, the first time it is asked for.
final class Lazily<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?

    func get(_ make: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        if let value { return value }
        let made = make()
        value = made
        return made
    }
}

/// One transaction's work for the store, and the source positions it
/// completes. `run` returns what to count in the report once it is done.
struct Job: @unchecked Sendable {
    let run: () throws -> (inout IntakeReport) -> Void
    let positions: [SourcePosition]
}

/// The checks of one batch, worked out on the lanes while the caller goes on.
final class Checking: @unchecked Sendable {
    private let done = DispatchGroup()
    private var results: [(CapturedItem, Intake.Checked)] = []

    init(_ intake: Intake, _ items: [CapturedItem], lanes: [StandardCatalog], finisher: (any ItemFinisher)?) {
        done.enter()
        DispatchQueue.global().async {
            self.results = intake.check(items, lanes: lanes, finisher: finisher)
            self.done.leave()
        }
    }

    func wait() -> [(CapturedItem, Intake.Checked)] {
        done.wait()
        return results
    }
}

/// A thread that stores jobs one at a time, in order, while the caller
/// prepares the next ones. Two may wait: with one, the cores that check
/// records stood idle whenever a transaction took longer than checking the
/// next batch. After a job fails, the ones behind it are not run.
final class WriteBehind: @unchecked Sendable {
    static let depth = 2
    typealias Outcome = Result<(inout IntakeReport) -> Void, any Error>

    private final class Slot: @unchecked Sendable {
        let positions: [SourcePosition]
        /// Let go on the store's thread once run: what a job holds (a
        /// transaction's records) is freed there, not on the caller's.
        var run: (() throws -> (inout IntakeReport) -> Void)?
        let done = DispatchSemaphore(value: 0)
        var outcome: Outcome?
        init(_ job: Job) {
            positions = job.positions
            run = job.run
        }
    }

    private let queue = DispatchQueue(label: "hutong.intake.store")
    /// Only the caller's thread touches this.
    private var slots: [Slot] = []
    /// Only the store's thread touches this.
    private var failed = false

    var inFlight: Int { slots.count }

    func start(_ job: Job) {
        let slot = Slot(job)
        slots.append(slot)
        queue.async {
            if self.failed {
                slot.outcome = .failure(CancellationError())
            } else if let run = slot.run {
                slot.outcome = Result { try run() }
                if case .failure = slot.outcome { self.failed = true }
            }
            slot.run = nil
            slot.done.signal()
        }
    }

    /// The oldest job's source positions and outcome, once it is done; nil when none is in flight.
    func oldest() -> ([SourcePosition], Outcome)? {
        guard !slots.isEmpty else { return nil }
        let slot = slots.removeFirst()
        slot.done.wait()
        return (slot.positions, slot.outcome!)
    }

    /// Waits for every job in flight, dropping their outcomes.
    func drain() { while oldest() != nil {} }
}
