import JSON
import Normalise
import Replication
import Standard
import Store

extension Intake {
    /// One run's items taken in order: the kind of input (plain records or an
    /// export), what waits for the next transaction, and the counts.
    struct State {
        let intake: Intake
        let sourceName: String
        var report: IntakeReport
        /// Set when the input is an export: its header, and its end line once read.
        var header: JSONObject?
        var end: JSONObject?
        var sawFirst = false
        var plain: [LocalRecord] = []
        var versions: [Envelope] = []
        var rejected: [IncomingBatch.Rejected] = []
        var quarantined: [QuarantinedRow] = []
        /// Positions of the source whose items are all taken, waiting for the
        /// transaction that stores the last of them.
        var positions: [SourcePosition] = []
        var part = 0
        /// The mapping file the source's rows are read through, kept with what goes to quarantine.
        let mapping: String?
        /// The record type the mapping makes, counted for what it quarantines.
        let recordType: String?
        /// Where rows of this mapping wait in quarantine; one stored now clears its entry.
        var quarantinedPlaces: Set<String> = []
        var clearing: [String] = []
        /// An agency table's name in the store's ledger, and its rows waiting
        /// for a transaction (stored with their keys, or deleted).
        let ledger: String?
        var rows: [(key: String, record: LocalRecord?)] = []
        var rowHashes: [String: Int64] = [:]

        init(intake: Intake, sourceName: String, mapping: String? = nil, recordType: String? = nil, ledger: String? = nil) {
            self.intake = intake
            self.sourceName = sourceName
            self.mapping = mapping
            self.recordType = recordType
            self.ledger = ledger
            report = IntakeReport(source: sourceName)
            report.mapping = mapping
        }

        /// Items waiting for a transaction.
        var pending: Int { plain.count + rows.count + versions.count + rejected.count + quarantined.count }

        mutating func add(_ item: CapturedItem, _ checked: Checked) throws {
            if report.origin == nil { report.origin = item.reference.origin }
            let at = item.reference.description
            switch item.content {
            case .json(let bytes):
                // The text is kept only for what goes to quarantine.
                try addJSON(checked, raw: String(decoding: bytes, as: UTF8.self), at: at)
            case .mapped(_, let row):
                try addMapped(checked, row: row, at: at, key: item.key, rowHash: item.rowHash)
            case .deleted:
                if ledger != nil, let key = item.key { rows.append((key, nil)) }
            case .unusable(let row, let reason):
                reject(row, "\(at): \(reason)", place: at)
            case .row(let row):
                // A source that yields rows also finishes them; this one did not.
                reject(JSONWriter.string(row.json), "\(at): a row no mapping was applied to", place: at)
            }
        }

        private mutating func addJSON(_ checked: Checked, raw: @autoclosure () -> String, at: String) throws {
            guard let value = checked.value else {
                return reject(raw(), "\(at): not JSON: \(checked.parseError ?? "")")
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
            guard let verdict = checked.verdict, verdict.isAcceptable, let name = verdict.schemaName else {
                return reject(raw(), "\(at): " + (checked.verdict?.reason() ?? ""), type: checked.verdict?.schemaName)
            }
            if header != nil {
                if name == "batch-end", case .object(let o) = value, end == nil {
                    end = o
                    return
                }
                guard end == nil else {
                    return reject(raw(), "\(at): a line after the export's end line; the file was altered")
                }
                guard name == "envelope", var e = try? Envelope(json: value) else {
                    return reject(raw(), "\(at): an export file holds envelopes after its header, not \(name) records")
                }
                guard e.verifyHash() else {
                    return reject(raw(), "\(at): record \(e.id): its hash does not match its body (changed after export?); ask \(e.writer) for a fresh export")
                }
                versions.append(e)
            } else {
                guard StandardCatalog.recordTypeNames.contains(name) else {
                    return reject(raw(), "\(at): \(name == "envelope" ? "an envelope" : "a \(name) line") without the exporting node's batch header first; import the whole file written by `hutong export`")
                }
                try addReady(checked, raw: raw(), at: at, place: nil)
            }
        }

        /// A mapped row: validated as any standard record; quarantined as the row it came from.
        private mutating func addMapped(_ checked: Checked, row: SourceRow, at: String, key: String?, rowHash: Int64?) throws {
            guard header == nil else { return reject(JSONWriter.string(row.json), "\(at): a mapped row inside an export", place: at) }
            guard let verdict = checked.verdict, verdict.isAcceptable else {
                return reject(JSONWriter.string(row.json), "\(at): the mapped record is not valid: " + (checked.verdict?.reason() ?? ""), place: at)
            }
            try addReady(checked, raw: JSONWriter.string(row.json), at: at, place: at, key: key, rowHash: rowHash)
        }

        private mutating func addReady(_ checked: Checked, raw: @autoclosure () -> String, at: String, place: String?, key: String? = nil, rowHash: Int64? = nil) throws {
            switch checked.ready {
            case .success(let record):
                if ledger != nil, let key {
                    rows.append((key, record))
                    if let rowHash { rowHashes[key] = rowHash }
                } else {
                    plain.append(record)
                }
                if let place, !quarantinedPlaces.isEmpty, quarantinedPlaces.remove(place) != nil { clearing.append(place) }
            case .failure(let error): reject(raw(), "\(at): \(error)", place: place, type: checked.verdict?.schemaName)
            case nil: reject(raw(), "\(at): not checked", place: place)
            }
        }

        /// `place`: where a mapped row was, kept with it for `hutong quarantine retry`.
        /// `type`: the record type the item was meant to be, where the mapping does not say.
        private mutating func reject(_ text: String, _ reason: String, place: String? = nil, type: String? = nil) {
            report.quarantined += 1
            report.quarantinedByType[recordType ?? StandardCatalog.countedType(type), default: 0] += 1
            if report.quarantineReasons.count < IntakeReport.reasonsKept { report.quarantineReasons.append(reason) }
            if header != nil {
                rejected.append(.init(text: text, reason: reason))
            } else if let mapping, let place {
                // A mapped row, with what `hutong quarantine retry` needs.
                quarantined.append(QuarantinedRow(source: sourceName, text: text, reason: reason, mapping: mapping, place: place))
            } else {
                quarantined.append(QuarantinedRow(source: sourceName, text: text, reason: reason))
            }
        }

        /// What waits, as one transaction's job with the positions it completes;
        /// nil when there is nothing to store and no position to acknowledge.
        mutating func take(final: Bool) -> Job? {
            let store = intake.store
            let done = positions
            positions = []
            let quarantined = quarantined
            self.quarantined = []
            func keep() throws { try store.quarantine(quarantined) }
            if let h = header, let node = h["node"]?.stringValue, let batchID = h["batch_id"]?.stringValue,
               !versions.isEmpty || !rejected.isEmpty || final {
                // The cursor moves only with the last batch of a whole export: never
                // for a partial one, nor for a file cut short (no end line).
                let cursor: PeerCursor? = final && end != nil && end?["partial"] != true
                    ? PeerCursor(peer: node, direction: .pull, epoch: h["epoch"]?.stringValue ?? "", sequence: end?["seq_to"]?.intValue ?? 0) : nil
                let batch = IncomingBatch(peer: node, batchID: "\(batchID)#\(part)", versions: versions, rejected: rejected, cursor: cursor)
                part += 1
                versions.removeAll(keepingCapacity: true)
                rejected.removeAll(keepingCapacity: true)
                let cutShort = end == nil
                return Job(run: {
                    try keep()
                    let result = try store.apply(batch)
                    var tally = Tally()
                    // Outcomes come in the batch's order, its rejected lines last.
                    for (v, o) in zip(batch.versions, result.outcomes) where o != .rejected {
                        tally.add(result.repeated ? "already imported" : o.rawValue, type: v.type)
                    }
                    return { report in
                        tally.count(into: &report)
                        if final { report.cutShort = cutShort }
                    }
                }, positions: done)
            }
            guard !plain.isEmpty || !rows.isEmpty || !quarantined.isEmpty || !done.isEmpty else { return nil }
            if let ledger { return takeRows(ledger, done: done, keep: keep) }
            let records = plain
            plain.removeAll(keepingCapacity: true)
            let cleared = clearing, mapping = mapping
            clearing = []
            return Job(run: {
                let written = records.isEmpty ? [] : try store.write(records)
                try keep()
                if let mapping { try store.clearQuarantine(mapping: mapping, places: cleared) }
                // Counted here, so that the records are let go on this thread once stored.
                var tally = Tally()
                for (r, w) in zip(records, written) { tally.add(w == nil ? "unchanged" : "written", type: r.type) }
                return { report in
                    tally.count(into: &report)
                    report.clearedFromQuarantine += cleared.count
                }
            }, positions: done)
        }

        /// An agency table's rows as one transaction of the ledger, with the
        /// checkpoint of the last position it completes: the source's place
        /// is stored with what it yielded, never apart from it.
        private mutating func takeRows(_ ledger: String, done: [SourcePosition], keep: @escaping () throws -> Void) -> Job? {
            var changes = CapturedChanges(source: ledger)
            changes.rows = rows
            changes.rowHashes = rowHashes
            rows.removeAll(keepingCapacity: true)
            rowHashes.removeAll(keepingCapacity: true)
            changes.position = done.last(where: { $0.checkpoint != nil })?.checkpoint
            changes.snapshot = !done.isEmpty && done.allSatisfy(\.snapshot)
            let cleared = clearing, mapping = mapping, store = intake.store
            clearing = []
            return Job(run: {
                let outcome = try changes.isEmpty ? CaptureOutcome() : store.capture(changes)
                try keep()
                if let mapping { try store.clearQuarantine(mapping: mapping, places: cleared) }
                var tally = Tally()
                // `written` holds an entry per stored row (not the deleted ones), in order.
                var w = 0
                for i in changes.rows.indices {
                    guard let type = changes.rows[i].record?.type, w < outcome.written.count else { continue }
                    tally.add(outcome.written[w] == nil ? "unchanged" : "written", type: type)
                    w += 1
                }
                for t in outcome.tombstones { tally.add("deleted", type: t.type) }
                return { report in
                    tally.count(into: &report)
                    report.clearedFromQuarantine += cleared.count
                }
            }, positions: done)
        }
    }
}

/// A transaction's outcomes by record type, counted where it ran.
struct Tally {
    private var counts: [String: [String: Int]] = [:]

    mutating func add(_ outcome: String, type: String) { counts[type, default: [:]][outcome, default: 0] += 1 }

    func count(into report: inout IntakeReport) {
        for (type, outcomes) in counts {
            for (outcome, n) in outcomes { report.count(outcome, type: type, n) }
        }
    }
}
