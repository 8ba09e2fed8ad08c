import Replication

extension VersionWriter {
    /// A capture source's changes, in the order read. A row's record is a
    /// local write; the row is then linked to it. A record that no row leads
    /// to any more once all the changes are taken (its row deleted, or its
    /// natural key changed so that it derives another id) becomes a
    /// tombstone. Looked at only at the end, so that a row whose key changed
    /// (its old key deleted, its new key inserted) keeps its record as it was.
    ///
    /// A first snapshot links every row of a table, each to a new record, and
    /// the index of links by record (what finds whether another row still
    /// leads to a record) would take a write at a random place a row. It is
    /// dropped when a snapshot starts on a store with no links, and made
    /// again in one pass, in order, when anything else comes or a record's
    /// links must be looked up; so it is always there when it is read.
    public mutating func capture(_ changes: CapturedChanges) throws -> CaptureOutcome {
        var outcome = CaptureOutcome()
        if !changes.snapshot {
            try transaction.indexLinksByRecord(true)
        } else if try !transaction.hasLinks() {
            try transaction.indexLinksByRecord(false)
        }
        var links = try transaction.sourceLinks(source: changes.source, keys: changes.rows.map(\.key))
        // Consecutive rows are written together (one lookup of their versions):
        // the records of rows `first` on. Rows are read by index, and each
        // record copied once, into the run.
        var run: [LocalRecord] = []
        var first = 0

        // Records a row stopped leading to.
        var left: [String] = []
        func flush(_ outcome: inout CaptureOutcome) throws {
            guard !run.isEmpty else { return }
            outcome.written += try write(run)
            for (n, record) in run.enumerated() {
                let key = changes.rows[first + n].key, hash = changes.rowHashes[key]
                guard links[key] != record.id || hash != nil else { continue }
                let old = links.updateValue(record.id, forKey: key)
                try transaction.link(source: changes.source, key: key, recordID: record.id, rowHash: hash)
                if let old, old != record.id { left.append(old) }
            }
            run.removeAll(keepingCapacity: true)
        }
        for i in changes.rows.indices {
            if let record = changes.rows[i].record {
                if run.isEmpty { first = i }
                run.append(record)
                continue
            }
            let key = changes.rows[i].key
            try flush(&outcome)
            guard let old = links.removeValue(forKey: key) else { continue }
            try transaction.link(source: changes.source, key: key, recordID: nil, rowHash: nil)
            left.append(old)
        }
        try flush(&outcome)
        if !left.isEmpty { try transaction.indexLinksByRecord(true) }
        var seen = Set<String>()
        for id in left where seen.insert(id).inserted {
            guard try !transaction.isLinked(recordID: id), let current = try transaction.version(id: id), !current.deleted else { continue }
            if let tombstone = try delete(id: id) { outcome.tombstones.append(tombstone) }
        }
        if let position = changes.position { try transaction.saveSourcePosition(source: changes.source, position: position) }
        return outcome
    }
}
