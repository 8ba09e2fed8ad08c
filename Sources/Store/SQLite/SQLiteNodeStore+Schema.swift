import GRDB

extension SQLiteNodeStore {
    /// Source rows by the record they lead to. Capture drops it while a first
    /// snapshot runs and makes it again after (`VersionWriter.capture`), so no
    /// migration may count on finding it.
    static let linksByRecordIndex = "CREATE INDEX source_rows_record ON source_rows(record_id)"

    /// Schema migrations, in order. A later version of Hutong opens an older
    /// store by running the ones it lacks; none is ever edited once released.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                -- Current version of every record. `seq` is the sequence of its latest
                -- change: the table doubles as the compacted change log, in commit order.
                -- `from_peer` is set only when the stored version is exactly one a peer sent.
                CREATE TABLE records (
                    id TEXT PRIMARY KEY,
                    type TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    vv TEXT NOT NULL,
                    hlc TEXT NOT NULL,
                    writer TEXT NOT NULL,
                    deleted INTEGER NOT NULL,
                    hash TEXT NOT NULL,
                    body TEXT NOT NULL,
                    conflicts TEXT,
                    seq INTEGER NOT NULL UNIQUE,
                    from_peer TEXT
                );
                CREATE INDEX records_type ON records(type, id);
                CREATE TABLE cursors (
                    peer TEXT NOT NULL,
                    direction TEXT NOT NULL,
                    epoch TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (peer, direction)
                );
                CREATE TABLE applied_batches (
                    batch_id TEXT PRIMARY KEY,
                    peer TEXT NOT NULL,
                    applied_at TEXT NOT NULL,
                    result TEXT NOT NULL
                );
                CREATE TABLE conflicts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    record_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    winner TEXT NOT NULL,
                    loser TEXT NOT NULL,
                    detected_at TEXT NOT NULL,
                    resolved_at TEXT,
                    resolution TEXT
                );
                CREATE INDEX conflicts_open ON conflicts(resolved_at, id);
                CREATE TABLE quarantine (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    source TEXT NOT NULL,
                    text TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    at TEXT NOT NULL
                );
                -- Append-only, hash-chained (see AuditChain).
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    prev TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                """)
        }
        // The change log in commit order as the table's own key: a new version
        // appends at the end instead of landing at a random place in a table of
        // large rows, and the body sits last so metadata reads stop before it.
        m.registerMigration("v2-records-by-sequence") { db in
            try db.execute(sql: """
                CREATE TABLE records_v2 (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    vv TEXT NOT NULL,
                    hlc TEXT NOT NULL,
                    writer TEXT NOT NULL,
                    deleted INTEGER NOT NULL,
                    hash TEXT NOT NULL,
                    conflicts TEXT,
                    from_peer TEXT,
                    -- JSON array of body pointers masked for this node (no personal grant).
                    masked TEXT,
                    body TEXT NOT NULL
                );
                INSERT INTO records_v2 (seq, id, type, owner, vv, hlc, writer, deleted, hash, conflicts, from_peer, body)
                    SELECT seq, id, type, owner, vv, hlc, writer, deleted, hash, conflicts, from_peer, body FROM records;
                DROP TABLE records;
                ALTER TABLE records_v2 RENAME TO records;
                CREATE INDEX records_type ON records(type, seq);
                """)
        }
        // The grant a cursor moved under: when a peer's grant widens, what
        // was left out before must be sent after all, so the cursor starts over.
        m.registerMigration("v3-cursor-grants") { db in
            try db.execute(sql: "ALTER TABLE cursors ADD COLUMN grants TEXT")
        }
        // A row quarantined by a mapping keeps the mapping's file and the
        // row's place, so that `hutong quarantine retry` can map it again.
        m.registerMigration("v4-quarantine-mapping") { db in
            try db.execute(sql: """
                ALTER TABLE quarantine ADD COLUMN mapping TEXT;
                ALTER TABLE quarantine ADD COLUMN place TEXT;
                ALTER TABLE quarantine ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
                CREATE INDEX quarantine_mapping ON quarantine(mapping, id) WHERE mapping IS NOT NULL;
                CREATE INDEX quarantine_place ON quarantine(place) WHERE place IS NOT NULL;
                """)
        }
        // Capture from agency tables: the record each source row became (a
        // deleted row leaves no body to derive the id from), and how far each
        // source is read, written in the same transaction as the records.
        m.registerMigration("v5-capture-sources") { db in
            try db.execute(sql: """
                CREATE TABLE source_rows (
                    source TEXT NOT NULL,
                    key TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    PRIMARY KEY (source, key)
                ) WITHOUT ROWID;
                \(linksByRecordIndex);
                CREATE TABLE sources (
                    source TEXT PRIMARY KEY,
                    position TEXT,
                    updated_at TEXT NOT NULL,
                    last_success TEXT,
                    last_error TEXT,
                    last_error_at TEXT
                );
                """)
        }
        // A read-only source (a scan) finds what changed by the hash of each
        // row as it was last read.
        m.registerMigration("v6-source-row-hash") { db in
            try db.execute(sql: "ALTER TABLE source_rows ADD COLUMN row_hash INTEGER")
        }
        // What operators are told of each peer (`PeerContact`).
        m.registerMigration("v7-peer-contacts") { db in
            try db.execute(sql: """
                CREATE TABLE peer_contacts (
                    peer TEXT PRIMARY KEY,
                    last_sync TEXT,
                    last_error TEXT,
                    last_error_at TEXT,
                    failing_since TEXT,
                    last_called TEXT,
                    pulled_to INTEGER
                );
                """)
        }
        return m
    }
}
