import JSON
import Replication
import Standard

extension Intake {
    /// What the checking stage works out for one item, before the items are
    /// taken in order.
    struct Checked {
        /// A JSON item's parsed value, or why it is not JSON.
        var value: JSONValue?
        var parseError: String?
        /// The verdict on the record (a JSON item, or a mapped row's record).
        var verdict: RecordGate.Verdict?
        /// An acceptable standard record made ready for the store, or why it cannot be.
        var ready: Result<LocalRecord, EnvelopeError>?
    }

    /// Finishes (maps) and checks a source's batch on every core: the items
    /// are independent, and this is most of an intake's work (mapping,
    /// parsing, validation, canonical text and hash). Results come back in
    /// item order, each with its item as finished.
    func check(_ items: [CapturedItem], lanes: [StandardCatalog], finisher: (any ItemFinisher)?) -> [(CapturedItem, Checked)] {
        let contexts = lanes.enumerated().map { (lane: $0.offset, catalog: $0.element, gate: RecordGate(catalog: $0.element)) }
        return Lanes.map(items, contexts: contexts) { item, context in
            var finished = finisher?.finish(item, lane: context.lane) ?? item
            var checked = check(finished, gate: context.gate, catalog: context.catalog)
            // What is taken in order next needs the parsed record only to
            // recognise an export's lines; a record made ready is stored from
            // its canonical text, so its tree is let go here, on the core that
            // built it (`LocalRecord.droppingBody`).
            if case .success(let ready) = checked.ready {
                checked.ready = .success(ready.droppingBody())
                if case .mapped(_, let row) = finished.content {
                    finished = CapturedItem(content: .mapped(.null, row: row), reference: finished.reference, key: finished.key, rowHash: finished.rowHash)
                } else if checked.value != nil {
                    checked.value = .null
                }
            }
            return (finished, checked)
        }
    }

    private func check(_ item: CapturedItem, gate: RecordGate, catalog: StandardCatalog) -> Checked {
        var c = Checked()
        let record: JSONValue
        switch item.content {
        case .unusable, .row, .deleted: return c
        case .mapped(let r, _): record = r
        case .json(let bytes):
            do {
                record = try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) in try JSONParser.parse(b) }
            } catch {
                c.parseError = error.reason
                return c
            }
            c.value = record
        }
        let verdict = gate.check(record)
        c.verdict = verdict
        if verdict.isAcceptable, let name = verdict.schemaName, let type = catalog.recordTypes[name] {
            c.ready = Result { () throws(EnvelopeError) in try LocalRecord(type: type, body: record) }
        }
        return c
    }
}
