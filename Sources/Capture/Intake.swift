import Foundation
import Replication
import Standard
import Store
import JSON
import Normalise

/// Takes what a source yields into the node store. Plain standard records are
/// validated and become local writes; a file that starts with a batch header
/// (`hutong export`) is applied exactly as a batch received from the node that
/// wrote it. Whatever cannot be used goes to quarantine with the place it came
/// from and the reason; the rest is stored in transactions of
/// `transactionSize` items, and the source is told after each.
public struct Intake {
    let store: any LocalWriter & BatchSink
    let catalog: StandardCatalog
    let transactionSize: Int

    public init(store: any LocalWriter & BatchSink, catalog: StandardCatalog, transactionSize: Int = 1_000) {
        self.store = store
        self.catalog = catalog
        self.transactionSize = max(1, transactionSize)
    }

    /// Everything `source` has now.
    /// - Throws: `IntakeError` for an export whose header is not valid (nothing
    ///   of it is applied), and the store's errors.
    public func run<S: RecordSource>(_ source: inout S) throws -> IntakeReport {
        var state = State(intake: self, sourceName: source.name, mapping: source.mappingFile)
        var last: SourcePosition?
        while let batch = try source.next() {
            for item in batch.items { try state.add(item) }
            last = batch.position
            if state.isEmpty { try source.acknowledge(batch.position) }
        }
        try state.flush(final: true)
        if let last { try source.acknowledge(last) }
        return state.report
    }

    /// One run's progress: the kind of input (plain records or an export),
    /// what waits for the next transaction, and the counts.
    struct State {
        let intake: Intake
        let sourceName: String
        let gate: RecordGate
        var report: IntakeReport
        /// Set when the input is an export: its header, and its end line once read.
        var header: JSONObject?
        var end: JSONObject?
        var sawFirst = false
        var plain: [(type: String, body: JSONValue)] = []
        var versions: [Envelope] = []
        var rejected: [IncomingBatch.Rejected] = []
        var part = 0
        /// The mapping file the source's rows are read through, kept with what goes to quarantine.
        let mapping: String?

        init(intake: Intake, sourceName: String, mapping: String? = nil) {
            self.intake = intake
            self.sourceName = sourceName
            self.mapping = mapping
            gate = RecordGate(catalog: intake.catalog)
            report = IntakeReport(source: sourceName)
            report.mapping = mapping
        }

        var isEmpty: Bool { plain.isEmpty && versions.isEmpty && rejected.isEmpty }

        mutating func add(_ item: CapturedItem) throws {
            if report.origin == nil { report.origin = item.reference.origin }
            let at = item.reference.description
            let bytes: ArraySlice<UInt8>
            switch item.content {
            case .json(let b): bytes = b
            case .mapped(let record, let row): return try addMapped(record, row: row, at: at)
            case .unusable(let row, let reason): return try reject(row, "\(at): \(reason)", place: at)
            }
            // The text is kept only for what goes to quarantine.
            var raw: String { String(decoding: bytes, as: UTF8.self) }
            let value: JSONValue
            do { value = try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) in try JSONParser.parse(b) } } catch {
                try reject(raw, "\(at): not JSON: \(error.reason)")
                return
            }
            if !sawFirst {
                sawFirst = true
                if case .object(let o) = value, o["batch_id"] != nil, o["protocol"] != nil {
                    let verdict = RecordGate(catalog: intake.catalog, schema: "batch-header")!.check(value)
                    guard verdict.isAcceptable else {
                        throw IntakeError.invalidHeader(at: at, problems: verdict.errors.map { "\($0.instanceLocation) \($0.message)" })
                    }
                    header = o
                    report.exportedBy = o["node"]?.stringValue ?? "?"
                    return
                }
            }
            let verdict = gate.check(value)
            guard verdict.isAcceptable, let name = verdict.schemaName else {
                try reject(raw, "\(at): " + verdict.reason())
                return
            }
            if header != nil {
                if name == "batch-end", case .object(let o) = value, end == nil {
                    end = o
                    return
                }
                guard end == nil else {
                    try reject(raw, "\(at): a line after the export's end line; the file was altered")
                    return
                }
                guard name == "envelope", var e = try? Envelope(json: value) else {
                    try reject(raw, "\(at): an export file holds envelopes after its header, not \(name) records")
                    return
                }
                guard e.verifyHash() else {
                    try reject(raw, "\(at): record \(e.id): its hash does not match its body (changed after export?); ask \(e.writer) for a fresh export")
                    return
                }
                versions.append(e)
            } else {
                guard StandardCatalog.recordTypeNames.contains(name) else {
                    try reject(raw, "\(at): \(name == "envelope" ? "an envelope" : "a \(name) line") without the exporting node's batch header first; import the whole file written by `hutong export`")
                    return
                }
                plain.append((name, value))
            }
            if versions.count + plain.count + rejected.count >= intake.transactionSize { try flush(final: false) }
        }

        /// A mapped row: validated as any standard record; quarantined as the row it came from.
        private mutating func addMapped(_ record: JSONValue, row: SourceRow, at: String) throws {
            guard header == nil else { return try reject(JSONWriter.string(row.json), "\(at): a mapped row inside an export", place: at) }
            let verdict = gate.check(record)
            guard verdict.isAcceptable, let name = verdict.schemaName else {
                return try reject(JSONWriter.string(row.json), "\(at): the mapped record is not valid: " + verdict.reason(), place: at)
            }
            plain.append((name, record))
            if plain.count + rejected.count >= intake.transactionSize { try flush(final: false) }
        }

        /// `place`: where a mapped row was, kept with it for `hutong quarantine retry`.
        private mutating func reject(_ text: String, _ reason: String, place: String? = nil) throws {
            report.quarantined += 1
            if report.quarantineReasons.count < IntakeReport.reasonsKept { report.quarantineReasons.append(reason) }
            if let mapping, let place, header == nil {
                try intake.store.quarantine(QuarantinedRow(source: sourceName, text: text, reason: reason, mapping: mapping, place: place))
                return
            }
            if header != nil {
                rejected.append(.init(text: text, reason: reason))
                if versions.count + rejected.count >= intake.transactionSize { try flush(final: false) }
            } else {
                try intake.store.quarantine(source: sourceName, text: text, reason: reason)
            }
        }

        mutating func flush(final: Bool) throws {
            if let h = header, let node = h["node"]?.stringValue, let batchID = h["batch_id"]?.stringValue {
                guard !versions.isEmpty || !rejected.isEmpty || final else { return }
                // The cursor moves only with the last batch of a whole export: never
                // for a partial one, nor for a file cut short (no end line).
                let cursor: PeerCursor? = final && end != nil && end?["partial"] != true
                    ? PeerCursor(peer: node, direction: .pull, epoch: h["epoch"]?.stringValue ?? "", sequence: end?["seq_to"]?.intValue ?? 0) : nil
                let result = try intake.store.apply(IncomingBatch(peer: node, batchID: "\(batchID)#\(part)", versions: versions, rejected: rejected, cursor: cursor))
                part += 1
                for o in result.outcomes where o != .rejected { report.counts[result.repeated ? "already imported" : o.rawValue, default: 0] += 1 }
                versions.removeAll(keepingCapacity: true)
                rejected.removeAll(keepingCapacity: true)
                if final { report.cutShort = end == nil }
            } else if !plain.isEmpty {
                let written = try intake.store.write(plain)
                for w in written { report.counts[w == nil ? "unchanged" : "written", default: 0] += 1 }
                plain.removeAll(keepingCapacity: true)
            }
        }
    }
}

/// What one intake did: counts per outcome, what went to quarantine, and for
/// an export whether its end line arrived.
public struct IntakeReport: Sendable, CustomStringConvertible {
    public let source: String
    /// The file or table the items came from.
    public var origin: String?
    /// The node that wrote the export, when the input was one.
    public var exportedBy: String?
    /// The mapping the rows were read through, when they were.
    public var mapping: String?
    /// Outcome → count: written, unchanged (plain records); applied, merged, conflict, … (an export).
    public var counts: [String: Int] = [:]
    public var quarantined = 0
    /// The reasons of the first quarantined items (at most `reasonsKept`), for reports.
    public var quarantineReasons: [String] = []
    public static let reasonsKept = 100
    /// An export without its end line: what arrived was applied; the whole file completes it.
    public var cutShort = false

    public init(source: String) { self.source = source }

    public var description: String {
        let kind = exportedBy.map { "export of node \($0)" } ?? mapping.map { "rows through \(($0 as NSString).lastPathComponent)" } ?? "records"
        var parts = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }
        if quarantined > 0 { parts.append("\(quarantined) quarantined (see `hutong quarantine list`)") }
        if cutShort {
            parts.append("no end line: the file was cut short; the records in it were imported, and importing the whole file again completes it")
        }
        return "\(origin ?? source) (\(kind)): " + (parts.isEmpty ? "nothing to import" : parts.joined(separator: ", "))
    }
}

public enum IntakeError: Error, CustomStringConvertible {
    case unreadable(path: String)
    case invalidHeader(at: String, problems: [String])
    /// A file whose header lacks columns its mapping reads: nothing of it is taken.
    case missingColumns(path: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let p): "cannot read \(p)"
        case .invalidHeader(let at, let problems): "\(at): the batch header is not valid: " + problems.joined(separator: "; ")
        case .missingColumns(let path, let detail): "\(path): \(detail)"
        }
    }
}
