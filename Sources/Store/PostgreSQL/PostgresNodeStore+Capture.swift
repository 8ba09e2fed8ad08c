import Postgres

extension PostgresNodeStore {
    public func capture(_ changes: CapturedChanges) throws -> CaptureOutcome {
        try versions { try $0.capture(changes) }
    }

    public func sourceState(_ source: String) throws -> SourceState? {
        try read { s in
            let rows = Int(try s.integer("SELECT count(*) FROM source_rows WHERE source = $1", [.text(source)]) ?? 0)
            guard let row = try s.rows("SELECT position, last_success, last_error, last_error_at FROM sources WHERE source = $1", [.text(source)]).first else {
                return rows == 0 ? nil : SourceState(source: source, position: nil, rows: rows, lastSuccess: nil, lastError: nil, lastErrorAt: nil)
            }
            return SourceState(source: source, position: row[0], rows: rows, lastSuccess: row[1], lastError: row[2], lastErrorAt: row[3])
        }
    }

    public func noteSourceRun(_ source: String, error: String?) throws {
        let now = StoreClock.timestamp()
        try write { s in
            try s.rows("INSERT INTO sources (source, updated_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", [.text(source), .text(now)])
            if let error {
                try s.rows("UPDATE sources SET last_error = $1, last_error_at = $2 WHERE source = $3", [.text(error), .text(now), .text(source)])
            } else {
                try s.rows("UPDATE sources SET last_success = $1, last_error = NULL, last_error_at = NULL WHERE source = $2", [.text(now), .text(source)])
            }
        }
    }

    public func rowHashes(source: String, keys: [String]) throws -> [String: Int64] {
        try read { s in
            var hashes: [String: Int64] = [:]
            for row in try s.rows("SELECT key, row_hash FROM source_rows WHERE source = $1 AND key = ANY($2) AND row_hash IS NOT NULL",
                                  [.text(source), .texts(keys)]) {
                if let key = row[0], let hash = row[1].flatMap({ Int64($0) }) { hashes[key] = hash }
            }
            return hashes
        }
    }

    public func sourceKeys(source: String) throws -> [String] {
        try read { s in try s.rows("SELECT key FROM source_rows WHERE source = $1", [.text(source)]).compactMap { $0[0] } }
    }

    // A sink's cursor is kept beside the sources' positions, under "sink:NAME"
    // (a source's name has no colon), as in the SQLite store.
    public func sinkPosition(_ sink: String) throws -> Int64 {
        try read { s in
            try s.rows("SELECT position FROM sources WHERE source = $1", [.text("sink:" + sink)]).first?[0].flatMap { Int64($0) } ?? 0
        }
    }

    public func saveSinkPosition(_ sink: String, sequence: Int64) throws {
        let now = StoreClock.timestamp()
        try write { s in
            try s.rows("""
                INSERT INTO sources (source, position, updated_at, last_success) VALUES ($1, $2, $3, $3)
                ON CONFLICT (source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at, last_success = excluded.last_success,
                    last_error = NULL, last_error_at = NULL
                """, [.text("sink:" + sink), .text(String(sequence)), .text(now)])
        }
    }

    public func resetSource(_ source: String) throws {
        try write { s in
            try s.rows("UPDATE sources SET position = NULL, updated_at = $1 WHERE source = $2", [.text(StoreClock.timestamp()), .text(source)])
        }
    }
}
