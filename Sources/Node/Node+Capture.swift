import Capture
import Foundation
import Normalise
import Postgres
import Store

extension Node {
    /// The configured source `name`.
    public func source(named name: String) throws(NodeError) -> NodeConfiguration.SourceSettings {
        guard let s = configuration.sources.first(where: { $0.name == name }) else {
            let names = configuration.sources.map(\.name)
            throw NodeError(names.isEmpty
                ? "\(configuration.file.path) has no [[sources]]; add one (docs/capture.md)"
                : "no source \(name) in \(configuration.file.path)\(didYouMean(name, in: names)); its sources: \(names.joined(separator: ", "))")
        }
        return s
    }

    /// The agency table a source names, checked (database, table, key
    /// column); opened read-only for a scan.
    public func sourceTable(_ s: NodeConfiguration.SourceSettings) throws(NodeError) -> any OutboxTable {
        do throws(CaptureError) {
            if PostgresTarget.isURL(s.database) {
                let target: PostgresTarget
                do { target = try PostgresTarget(url: s.database, passwordFile: s.passwordFile) } catch { throw CaptureError("source \(s.name): \(error)") }
                return try PostgresCaptureTable(target: target, table: s.table, key: s.key, source: s.name, readonly: s.isScan)
            }
            return try SQLiteCaptureTable(path: s.database, table: s.table, key: s.key, source: s.name, readonly: s.isScan)
        } catch {
            throw NodeError(error.description)
        }
    }

    /// The table a trigger source captures; a scanned source has no triggers to install.
    public func captureTable(_ s: NodeConfiguration.SourceSettings) throws(NodeError) -> any OutboxTable {
        guard !s.isScan else {
            throw NodeError("source \(s.name) is scanned (mode = \"scan\"): nothing is installed in its database; `hutong capture --once` reads it")
        }
        return try sourceTable(s)
    }

    /// Installs a source's outbox and triggers in the agency's database
    /// (`hutong capture install`). Newly installed, the source starts again
    /// with a snapshot: changes made while no trigger was there were not noted.
    /// Returns whether they were there already.
    @discardableResult
    public func installCapture(_ name: String) throws -> Bool {
        let s = try source(named: name)
        let table = try captureTable(s)
        _ = try Self.loadMapping(s.mapping, schemas: catalog.directory)
        let had = try table.install()
        if !had { try store.resetSource(name) }
        try store.audit(kind: .captureInstalled, detail: "source \(name): triggers on \(s.table) (key \(table.keyColumn)) in \(s.database)\(had ? ", installed again" : "")")
        return had
    }

    /// Removes a source's triggers (`hutong capture uninstall`); its next
    /// capture, once they are installed again, starts with a snapshot.
    public func uninstallCapture(_ name: String) throws {
        let s = try source(named: name)
        try captureTable(s).uninstall()
        try store.resetSource(name)
        try store.audit(kind: .captureRemoved, detail: "source \(name): triggers on \(s.table) removed from \(s.database)")
    }

    /// Measures what the capture triggers would add to the agency's own
    /// inserts into the source's table (`hutong capture bench`), on a scratch
    /// copy of the table in the same database, dropped afterwards.
    public func benchCapture(_ name: String, bulkRows: Int, singleRows: Int) throws -> TriggerCost {
        let table = try captureTable(source(named: name))
        let scratch: any BenchScratch
        switch table {
        case let t as SQLiteCaptureTable: scratch = try SQLiteBenchScratch(t)
        case let t as PostgresCaptureTable: scratch = try PostgresBenchScratch(t)
        default: throw NodeError("source \(name): no bench for this kind of database")
        }
        return try TriggerCost.measure(scratch, bulkRows: bulkRows, singleRows: singleRows)
    }

    /// What one source's capture did: its intake's report, or why it stopped.
    public struct CaptureRun: Sendable {
        public let source: String
        public let report: IntakeReport?
        public let error: String?
    }

    /// Reads every source to its end once (`hutong capture --once`): a
    /// snapshot first where none was finished, then the outbox. A source that
    /// fails is noted in the store (`hutong status`) and the others go on.
    public func captureOnce(transactionSize: Int = Intake.defaultTransactionSize, each: (CaptureRun) -> Void = { _ in }) throws -> [CaptureRun] {
        let intake = Intake(store: store, catalog: catalog, transactionSize: transactionSize)
        var runs: [CaptureRun] = []
        for s in configuration.sources {
            let run: CaptureRun
            do {
                var source = try openSource(s)
                let report = try intake.run(&source)
                try store.noteSourceRun(s.name, error: nil)
                run = CaptureRun(source: s.name, report: report, error: nil)
            } catch {
                let message = (error as? NodeError)?.description ?? (error as? CaptureError)?.description ?? "source \(s.name): \(error)"
                try store.noteSourceRun(s.name, error: message)
                run = CaptureRun(source: s.name, report: nil, error: message)
            }
            each(run)
            runs.append(run)
        }
        return runs
    }

    /// A source ready to read from where the store says it stopped.
    func openSource(_ s: NodeConfiguration.SourceSettings) throws -> any TableSource {
        let mapping = try Self.loadMapping(s.mapping, schemas: catalog.directory)
        let table = try sourceTable(s)
        let position = try store.sourceState(s.name)?.position
        if s.isScan {
            return try ScanSource(name: s.name, table: table, mapping: mapping, store: store, position: position,
                                  watermark: s.watermark, fullScanEvery: TimeInterval(s.fullScanSeconds))
        }
        return try TriggerSource(name: s.name, table: table, mapping: mapping, position: position)
    }

    /// A source as `hutong status` shows it: how far the store has it, and
    /// what waits in its outbox (or why its database cannot be read now).
    public struct SourceStatus: Sendable {
        public let settings: NodeConfiguration.SourceSettings
        public let state: SourceState?
        public let installed: Bool?
        public let backlog: Int?
        public let problem: String?
    }

    public func sourceStatuses() throws -> [SourceStatus] {
        try configuration.sources.map { s in
            let state = try store.sourceState(s.name)
            do {
                let table = try sourceTable(s)
                if s.isScan { return SourceStatus(settings: s, state: state, installed: nil, backlog: nil, problem: nil) }
                return SourceStatus(settings: s, state: state, installed: try table.isInstalled(), backlog: try table.backlog(), problem: nil)
            } catch {
                return SourceStatus(settings: s, state: state, installed: nil, backlog: nil, problem: "\(error)")
            }
        }
    }
}
