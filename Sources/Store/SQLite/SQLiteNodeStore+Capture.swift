import GRDB

extension SQLiteNodeStore {
    public func capture(_ changes: CapturedChanges) throws -> CaptureOutcome {
        try versions { try $0.capture(changes) }
    }

    public func sourceState(_ source: String) throws -> SourceState? {
        try pool.read { db in
            let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM source_rows WHERE source = ?", arguments: [source]) ?? 0
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sources WHERE source = ?", arguments: [source]) else {
                return rows == 0 ? nil : SourceState(source: source, position: nil, rows: rows, lastSuccess: nil, lastError: nil, lastErrorAt: nil)
            }
            return SourceState(source: source, position: row["position"], rows: rows, lastSuccess: row["last_success"],
                               lastError: row["last_error"], lastErrorAt: row["last_error_at"])
        }
    }

    public func noteSourceRun(_ source: String, error: String?) throws {
        let now = StoreClock.timestamp()
        try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO sources (source, updated_at) VALUES (?, ?)", arguments: [source, now])
            if let error {
                try db.execute(sql: "UPDATE sources SET last_error = ?, last_error_at = ? WHERE source = ?", arguments: [error, now, source])
            } else {
                try db.execute(sql: "UPDATE sources SET last_success = ?, last_error = NULL, last_error_at = NULL WHERE source = ?", arguments: [now, source])
            }
        }
    }

    public func rowHashes(source: String, keys: [String]) throws -> [String: Int64] {
        try pool.read { db in
            var hashes: [String: Int64] = [:]
            // In pieces of 500 keys, under SQLite's parameter limit.
            for start in stride(from: 0, to: keys.count, by: 500) {
                let piece = keys[start..<min(keys.count, start + 500)]
                let marks = Array(repeating: "?", count: piece.count).joined(separator: ", ")
                let rows = try Row.fetchCursor(db, sql: "SELECT key, row_hash FROM source_rows WHERE source = ? AND key IN (\(marks)) AND row_hash IS NOT NULL",
                                               arguments: StatementArguments([source] + Array(piece)))
                while let row = try rows.next() { hashes[row[0]] = row[1] as Int64 }
            }
            return hashes
        }
    }

    public func sourceKeys(source: String) throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT key FROM source_rows WHERE source = ?", arguments: [source]) }
    }

    // A sink's cursor is kept beside the sources' positions, under "sink:NAME"
    // (a source's name has no colon).
    public func sinkPosition(_ sink: String) throws -> Int64 {
        try pool.read { db in
            Int64(try String.fetchOne(db, sql: "SELECT position FROM sources WHERE source = ?", arguments: ["sink:" + sink]) ?? "0") ?? 0
        }
    }

    public func saveSinkPosition(_ sink: String, sequence: Int64) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO sources (source, position, updated_at, last_success) VALUES (?, ?, ?, ?)
                ON CONFLICT (source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at, last_success = excluded.last_success,
                    last_error = NULL, last_error_at = NULL
                """, arguments: ["sink:" + sink, String(sequence), StoreClock.timestamp(), StoreClock.timestamp()])
        }
    }

    public func resetSource(_ source: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE sources SET position = NULL, updated_at = ? WHERE source = ?", arguments: [StoreClock.timestamp(), source])
        }
    }
}
