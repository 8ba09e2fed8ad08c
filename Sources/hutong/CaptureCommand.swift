import ArgumentParser
import Dispatch
import Foundation
import Capture
import Node
import Sink

/// `hutong capture`: take the changes of the agency tables the node watches.
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture the agency tables of [[sources]]: install their triggers, then take their changes.",
        subcommands: [Once.self, Install.self, Uninstall.self, Bench.self],
        defaultSubcommand: Once.self)

    struct Once: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "once",
            abstract: "Read every source to its end once, then stop (`hutong capture --once`).",
            discussion: """
                With --follow, every source is followed until SIGINT or SIGTERM: PostgreSQL's NOTIFY \
                wakes the capture at once, a SQLite commit is seen within 20 ms (100 ms after a quiet second), and each source is \
                read every --poll-seconds in any case; a source that fails is retried with a wait \
                that doubles up to a minute. A source read for the first time is first copied whole (a snapshot in pages by key; a \
                stopped snapshot goes on from its last page); then the changes its triggers noted are \
                taken in order. Each row is read through the source's mapping, validated and stored \
                as a local write (a new version only when its content changed); a deleted row's \
                record becomes a tombstone; a row that cannot be used goes to quarantine with its \
                table, key and reason. Notes are removed from the agency's outbox once stored. \
                Exit codes: 0 every row was used; 1 some were quarantined; 2 a configuration or \
                mapping error; 4 a source could not be read (each says why; the others still ran).
                """)

        @Flag(help: "Read every source to its end, then stop.") var once = false
        @Flag(help: "Keep following every source until SIGINT or SIGTERM: each change is taken as soon as it is seen.") var follow = false
        @Option(help: "With --follow: read every source at least this often, in seconds, whatever its signal says.") var pollSeconds: Double = 5
        @Option(help: "Rows stored per transaction.") var transactionSize: Int = Intake.defaultTransactionSize
        @OptionGroup var node: NodeOptions

        func validate() throws {
            guard once != follow else { throw ValidationError("give --once (read every source to its end, then stop) or --follow (keep following them)") }
        }

        static func report(_ run: Node.SinkRun) {
            if let report = run.report {
                Swift.print("sink \(run.sink): \(report.summary ?? "no changes")")
            } else if let error = run.error {
                Swift.print("sink \(run.sink): failed: \(error)")
            }
        }

        func run() throws {
            let opened = try node.open()
            if opened.configuration.sources.isEmpty && opened.configuration.sinks.isEmpty {
                throw CommandFailure(code: ExitStatus.usage, message: "\(opened.configuration.file.path) has no [[sources]] or [[sinks]]; add one (docs/capture.md)")
            }
            if follow {
                let stop = StopSignal()
                opened.follow(pollSeconds: max(0.05, pollSeconds), transactionSize: transactionSize, stop: { stop.requested }, wake: stop.wake, sunk: { run in
                    Self.report(run)
                    fflush(nil)
                }) { run in
                    if let report = run.report { print("\(run.source): \(report.summary ?? "no changes")") } else if let e = run.error { print("\(run.source): failed: \(e)") }
                    fflush(nil)
                }
                return
            }
            let runs = try opened.captureOnce(transactionSize: transactionSize) { run in
                if let report = run.report {
                    print("\(run.source): \(report.summary ?? "no changes")")
                } else if let error = run.error {
                    print("\(run.source): failed: \(error)")
                }
            }
            let sinks = opened.drainSinks(each: Self.report)
            if runs.contains(where: { $0.error != nil }) || sinks.contains(where: { $0.error != nil }) { throw CommandFailure(code: ExitStatus.sourceFailed, message: "") }
            if runs.contains(where: { ($0.report?.quarantined ?? 0) > 0 }) { throw CommandFailure(code: ExitStatus.dataProblem, message: "") }
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Install a source's outbox and triggers in the agency's database.",
            discussion: """
                The triggers note the key of each inserted, updated or deleted row in an outbox table \
                (SQLite: _hutong_outbox, in plain SQL that old versions run; PostgreSQL: hutong.outbox, \
                statement triggers that also NOTIFY hutong). With --print the SQL \
                is shown for a DBA to review and apply, and nothing is changed. Installed anew, the \
                source's next capture starts with a snapshot.
                """)
        @OptionGroup var choice: SourceChoice

        func run() throws {
            if let (opened, sink) = try choice.sink() {
                if choice.print { return print(sink.installSQL, terminator: "") }
                do {
                    let had = try opened.installSink(choice.source)
                    print("\(choice.source): tables \(sink.tables.values.sorted().joined(separator: ", ")) \(had ? "checked" : "created") in \(sink.origin); `hutong capture --once` writes the node's records into them")
                } catch let e as NodeError { throw CommandFailure(e) }
                return
            }
            let (opened, table) = try choice.table()
            if choice.print { return print(table.installSQL, terminator: "") }
            do {
                let had = try opened.installCapture(choice.source)
                print("\(choice.source): triggers \(had ? "installed again" : "installed") on \(table.table) (key \(table.keyColumn)) in \(table.origin)\(had ? "" : "; the next `hutong capture --once` starts with a snapshot")")
            } catch let e as NodeError { throw CommandFailure(e) }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uninstall",
            abstract: "Remove a source's triggers (and the outbox, when no other table is captured).",
            discussion: "With --print the SQL is shown and nothing is changed. Records already stored stay.")
        @OptionGroup var choice: SourceChoice

        func run() throws {
            if let (opened, sink) = try choice.sink() {
                if choice.print { return print(sink.uninstallSQL, terminator: "") }
                do {
                    try opened.uninstallSink(choice.source)
                    print("\(choice.source): tables \(sink.tables.values.sorted().joined(separator: ", ")) dropped from \(sink.origin)")
                } catch let e as NodeError { throw CommandFailure(e) }
                return
            }
            let (opened, table) = try choice.table()
            if choice.print { return print(table.uninstallSQL, terminator: "") }
            do {
                try opened.uninstallCapture(choice.source)
                print("\(choice.source): triggers removed from \(table.origin)")
            } catch let e as NodeError { throw CommandFailure(e) }
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: "Measure what the capture triggers add to the agency's own inserts into a source's table.",
            discussion: """
                Made for the agency's DBA, on the agency's own machine: a scratch copy of the table \
                (SQLite: _hutong_bench, made by the table's own CREATE statement and indexes; \
                PostgreSQL: hutong.bench, LIKE the table INCLUDING ALL) is filled with copies of the \
                table's rows, in one bulk statement, in one transaction of one-row statements (as an \
                application or a loader writes a batch) and in one-row transactions, first without the \
                triggers and then with them; the best of three runs each way is shown. The table \
                itself and its outbox's notes are not touched, and the scratch table is dropped after.
                """)
        @Argument(help: "The source's name ([[sources]] name).") var source: String
        @Option(help: "Rows of the bulk insert.") var rows: Int = 10_000
        @Option(help: "One-row transactions.") var singles: Int = 500
        @OptionGroup var node: NodeOptions

        func validate() throws {
            guard rows > 0, singles > 0 else { throw ValidationError("--rows and --singles must be positive") }
        }

        func run() throws {
            let opened = try node.open()
            let cost: TriggerCost
            do { cost = try opened.benchCapture(source, bulkRows: rows, singleRows: singles) } catch let e as NodeError { throw CommandFailure(e) }
            func ms(_ t: Double) -> String { String(format: "%.1f ms", t * 1_000) }
            print("\(source): what the capture triggers add to the agency's inserts (best of 3)")
            func x(_ f: Double) -> String { String(format: "%.2f×", f) }
            print("  bulk insert of \(cost.bulkRows) rows in one statement: \(ms(cost.bulkBare)) without, \(ms(cost.bulkTriggered)) with the triggers: \(x(cost.bulkFactor))")
            print("  \(cost.batchRows) rows in one transaction, a statement a row: \(ms(cost.batchBare)) without, \(ms(cost.batchTriggered)) with the triggers: \(x(cost.batchFactor))")
            print("  \(cost.singleRows) one-row transactions: \(ms(cost.eachBare)) without, \(ms(cost.eachTriggered)) with the triggers: \(x(cost.eachFactor))"
                + " (\(ms(cost.eachTriggered / Double(cost.singleRows))) a transaction with them)")
        }
    }

    /// What `install` and `uninstall` are given: a source, and whether only to print the SQL.
    struct SourceChoice: ParsableArguments {
        @Argument(help: "The source's or sink's name ([[sources]] or [[sinks]] name).") var source: String
        @Flag(help: "Print the SQL instead of running it.") var print = false
        @OptionGroup var node: NodeOptions

        /// The node and the sink's tables, when `source` names a sink.
        func sink() throws -> (Node, any SinkTarget)? {
            let opened = try node.open()
            guard let s = opened.sinkSettings(named: source) else { return nil }
            do { return (opened, try opened.sinkTarget(s)) } catch let e as NodeError { throw CommandFailure(e) }
        }

        /// The node, and the source's table in the agency's database.
        func table() throws -> (Node, any OutboxTable) {
            let opened = try node.open()
            do { return (opened, try opened.captureTable(opened.source(named: source))) } catch let e as NodeError { throw CommandFailure(e) }
        }
    }
}

/// SIGINT and SIGTERM, turned into a flag the follow loop looks at between
/// transactions (a transaction under way is finished, never cut).
final class StopSignal: @unchecked Sendable {
    let wake = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                self.stopped = true
                self.lock.unlock()
                self.wake.signal()
            }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }
}
