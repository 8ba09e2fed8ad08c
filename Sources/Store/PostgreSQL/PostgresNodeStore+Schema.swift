import Postgres

extension PostgresNodeStore {
    /// The schema that holds the store's tables, so that a store can share a
    /// database with the agency's own tables (and with capture's `hutong` schema).
    static let schema = "hutong_store"
    /// Source rows by the record they lead to. Capture drops it while a first
    /// snapshot runs and makes it again after (`VersionWriter.capture`), so no
    /// migration may count on finding it.
    static let linksByRecordIndex = "CREATE INDEX source_rows_record ON source_rows (record_id)"

    /// Schema migrations, in order, numbered from 1. A later version of Hutong
    /// opens an older store by running the ones it lacks; none is ever edited
    /// once released. The tables match the SQLite store's, column for column.
    /// Keys compare bytes (`COLLATE "C"`), as SQLite's do, whatever the
    /// database's locale: a locale's collation costs a string comparison by
    /// its rules at every step of an index search.
    static let migrations: [(name: String, sql: [String])] = [
        ("v1", [
            "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
            // Current version of every record. `seq` is the sequence of its latest
            // change: the table doubles as the compacted change log, in commit order
            // (see `PostgresTransaction` for how the order is kept).
            """
            CREATE TABLE records (
                seq bigint PRIMARY KEY,
                id text COLLATE "C" NOT NULL UNIQUE,
                type text COLLATE "C" NOT NULL,
                owner text NOT NULL,
                vv text NOT NULL,
                hlc text NOT NULL,
                writer text NOT NULL,
                deleted boolean NOT NULL,
                hash text NOT NULL,
                conflicts text,
                from_peer text,
                masked text,
                body text NOT NULL
            )
            """,
            // No index by type: reads by type walk the id or the change log's
            // order and filter, and each index more is one more write per version stored.
            """
            CREATE TABLE cursors (
                peer text COLLATE "C" NOT NULL, direction text COLLATE "C" NOT NULL, epoch text NOT NULL, seq bigint NOT NULL,
                updated_at text NOT NULL, grants text, PRIMARY KEY (peer, direction)
            )
            """,
            "CREATE TABLE applied_batches (batch_id text COLLATE \"C\" PRIMARY KEY, peer text NOT NULL, applied_at text NOT NULL, result text NOT NULL)",
            """
            CREATE TABLE conflicts (
                id bigserial PRIMARY KEY, record_id text COLLATE "C" NOT NULL, type text NOT NULL, policy text NOT NULL,
                winner text NOT NULL, loser text NOT NULL, detected_at text NOT NULL, resolved_at text, resolution text
            )
            """,
            "CREATE INDEX conflicts_record ON conflicts (record_id) WHERE resolved_at IS NULL",
            """
            CREATE TABLE quarantine (
                id bigserial PRIMARY KEY, source text NOT NULL, text text NOT NULL, reason text NOT NULL, at text NOT NULL,
                mapping text COLLATE "C", place text COLLATE "C", attempts integer NOT NULL DEFAULT 1
            )
            """,
            "CREATE INDEX quarantine_mapping ON quarantine (mapping, id) WHERE mapping IS NOT NULL",
            "CREATE INDEX quarantine_place ON quarantine (place) WHERE place IS NOT NULL",
            // Append-only, hash-chained (see AuditChain).
            "CREATE TABLE audit (seq bigint PRIMARY KEY, at text NOT NULL, kind text NOT NULL, detail text NOT NULL, prev text NOT NULL, hash text NOT NULL)",
            """
            CREATE TABLE source_rows (
                source text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, record_id text COLLATE "C" NOT NULL, row_hash bigint,
                PRIMARY KEY (source, key)
            )
            """,
            linksByRecordIndex,
            """
            CREATE TABLE sources (
                source text COLLATE "C" PRIMARY KEY, position text, updated_at text NOT NULL,
                last_success text, last_error text, last_error_at text
            )
            """,
            """
            CREATE TABLE peer_contacts (
                peer text COLLATE "C" PRIMARY KEY, last_sync text, last_error text, last_error_at text,
                failing_since text, last_called text, pulled_to bigint
            )
            """,
        ]),
    ]

    /// Brings the store's schema up to date, in one transaction under a lock
    /// (two nodes starting on one database at once migrate it once). Refuses
    /// a store whose schema is newer than this binary knows.
    static func migrate(_ s: PostgresSession, target: PostgresTarget) throws {
        try s.transaction {
            try s.execute("SELECT pg_advisory_xact_lock(hashtext('hutong_store.migrate'))")
            try s.execute("CREATE SCHEMA IF NOT EXISTS \(schema)")
            try s.execute("CREATE TABLE IF NOT EXISTS migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)")
            let current = Int(try s.integer("SELECT coalesce(max(version), 0) FROM migrations") ?? 0)
            guard current <= migrations.count else {
                throw StoreError.newerThanThisHutong("\(target) holds a node store of schema version \(current), newer than this hutong knows (\(migrations.count)); run the hutong that made it, or a newer one")
            }
            for (i, m) in migrations.enumerated().dropFirst(current) {
                for statement in m.sql { try s.execute(statement) }
                try s.rows("INSERT INTO migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                           [.int(Int64(i + 1)), .text(m.name), .text(StoreClock.timestamp())])
            }
        }
    }
}
