import Replication

extension VersionWriter {
    /// A capture source's changes, in the order read. A row's record is a
    /// local write; the row is then linked to it. A row that no longer leads
    /// to a record it led to before (deleted at the source, or its natural key
    /// changed so that it derives another id) leaves that record a tombstone,
    /// unless another row still leads to it. Deletes are taken in their
    /// place, not after the writes: a row deleted and inserted again ends stored.
    public mutating func capture(_ changes: CapturedChanges) throws -> CaptureOutcome {
        var outcome = CaptureOutcome()
        var links = try transaction.sourceLinks(source: changes.source, keys: changes.rows.map(\.key))
        var run: [(key: String, record: LocalRecord)] = []

        func leave(_ id: String, _ outcome: inout CaptureOutcome) throws {
            guard try !transaction.isLinked(recordID: id), let current = try transaction.version(id: id), !current.deleted else { return }
            if let tombstone = try delete(id: id) { outcome.tombstones.append(tombstone) }
        }
        // Consecutive rows are written together (one lookup of their versions).
        func flush(_ outcome: inout CaptureOutcome) throws {
            guard !run.isEmpty else { return }
            outcome.written += try write(run.map(\.record))
            for (key, record) in run where links[key] != record.id {
                let old = links[key]
                links[key] = record.id
                try transaction.link(source: changes.source, key: key, recordID: record.id)
                if let old { try leave(old, &outcome) }
            }
            run.removeAll()
        }
        for (key, record) in changes.rows {
            if let record {
                run.append((key, record))
                continue
            }
            try flush(&outcome)
            guard let old = links.removeValue(forKey: key) else { continue }
            try transaction.link(source: changes.source, key: key, recordID: nil)
            try leave(old, &outcome)
        }
        try flush(&outcome)
        if let position = changes.position { try transaction.saveSourcePosition(source: changes.source, position: position) }
        return outcome
    }
}
