import Foundation
import Postgres
import Sink
import Standard
import Store

extension Node {
    /// The configured sink `name`, or nil when there is none of that name.
    public func sinkSettings(named name: String) -> NodeConfiguration.SinkSettings? {
        configuration.sinks.first { $0.name == name }
    }

    /// A sink's tables in the agency's database (not opened for writing yet).
    public func sinkTarget(_ s: NodeConfiguration.SinkSettings) throws(NodeError) -> any SinkTarget {
        let dictionary: DataDictionary
        do { dictionary = try DataDictionary(directory: catalog.directory) } catch {
            throw NodeError("cannot load the standard from \(catalog.directory.path): \(error)")
        }
        let layouts = s.types.map { SinkLayout(recordType: $0, dictionary: dictionary) }
        do throws(SinkError) {
            if s.isPostgres {
                let target: PostgresTarget
                do { target = try PostgresTarget(url: s.database, passwordFile: s.passwordFile) } catch { throw SinkError("sink \(s.name): \(error)") }
                return try PostgresSinkTarget(target: target, layouts: layouts, sink: s.name)
            }
            return try SQLiteSinkTarget(path: s.database, layouts: layouts, sink: s.name)
        } catch {
            throw NodeError(error.description)
        }
    }

    /// The sink, ready to write from where the store says it stopped.
    public func sink(_ s: NodeConfiguration.SinkSettings) throws -> Sink {
        Sink(name: s.name, target: try sinkTarget(s), store: store)
    }

    /// Creates a sink's tables (`hutong capture install SINK`); returns whether they were all there.
    @discardableResult
    public func installSink(_ name: String) throws -> Bool {
        guard let s = sinkSettings(named: name) else { throw NodeError("no sink \(name) in \(configuration.file.path)") }
        let target = try sinkTarget(s)
        let had = try target.install()
        try store.audit(kind: .captureInstalled, detail: "sink \(name): tables \(target.tables.values.sorted().joined(separator: ", ")) in \(s.database)\(had ? ", installed again" : "")")
        return had
    }

    /// Drops a sink's tables (`hutong capture uninstall SINK`); a later install writes every record again.
    public func uninstallSink(_ name: String) throws {
        guard let s = sinkSettings(named: name) else { throw NodeError("no sink \(name) in \(configuration.file.path)") }
        let target = try sinkTarget(s)
        try target.uninstall()
        try store.saveSinkPosition(name, sequence: 0)
        try store.audit(kind: .captureRemoved, detail: "sink \(name): tables \(target.tables.values.sorted().joined(separator: ", ")) dropped from \(s.database)")
    }

    /// A sink as `hutong status` shows it: how far it has written the change
    /// log, whether its tables are there, its last error.
    public struct SinkStatus: Sendable {
        public let settings: NodeConfiguration.SinkSettings
        /// The change-log sequence written up to.
        public let position: Int64
        public let installed: Bool?
        public let state: SourceState?
        public let problem: String?
    }

    public func sinkStatuses() throws -> [SinkStatus] {
        try configuration.sinks.map { s in
            let position = try store.sinkPosition(s.name)
            let state = try store.sourceState("sink:" + s.name)
            do {
                return SinkStatus(settings: s, position: position, installed: try sinkTarget(s).isInstalled(), state: state, problem: nil)
            } catch {
                return SinkStatus(settings: s, position: position, installed: nil, state: state, problem: "\(error)")
            }
        }
    }

    /// What one sink's drain did, or why it stopped.
    public struct SinkRun: Sendable {
        public let sink: String
        public let report: Sink.Report?
        public let error: String?
    }

    /// Writes every sink up to the store's last change (`hutong capture --once`,
    /// after the sources); a sink that fails is noted and the others go on.
    public func drainSinks(each: (SinkRun) -> Void = { _ in }) -> [SinkRun] {
        var opened: [String: Sink] = [:]
        return drainSinks(opened: &opened, each: each)
    }

    /// The same with the sinks `opened` before (a following loop keeps them,
    /// rather than connecting to each database at every drain); a sink that
    /// fails is opened again next time.
    func drainSinks(opened: inout [String: Sink], each: (SinkRun) -> Void = { _ in }) -> [SinkRun] {
        configuration.sinks.map { s in
            let run: SinkRun
            do {
                let sink = try opened[s.name] ?? self.sink(s)
                opened[s.name] = sink
                run = SinkRun(sink: s.name, report: try sink.drain(), error: nil)
            } catch {
                opened[s.name] = nil
                let message = (error as? NodeError)?.description ?? (error as? SinkError)?.description ?? "sink \(s.name): \(error)"
                try? store.noteSourceRun("sink:" + s.name, error: message)
                run = SinkRun(sink: s.name, report: nil, error: message)
            }
            each(run)
            return run
        }
    }
}
