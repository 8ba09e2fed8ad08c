import Postgres

/// `hutong.bench`: a table LIKE the captured one (its types, key, defaults
/// and indexes), filled with copies of its rows under new keys.
public struct PostgresBenchScratch: BenchScratch {
    let source: PostgresCaptureTable
    let session: PostgresSession
    static let name = "hutong.bench"
    let integerKey: Bool
    /// The table's highest integer key: copies' keys count on from it (whatever its span).
    let top: Int64
    let bottom: Int64
    let count: Int
    /// Whether the schema hutong was there before (else it is dropped after).
    let hadSchema: Bool
    /// Up to `sampleSize` of the table's rows as text, for the inserts made
    /// with values, and each column's type to cast them back to.
    let sample: [[String?]]
    let types: [String]
    let keyIndex: Int
    static let sampleSize = 10_000

    public init(_ source: PostgresCaptureTable) throws {
        self.source = source
        session = try PostgresSession(source.target)
        let key = PostgresTarget.quoted(source.keyColumn)
        let stats = try session.rows("SELECT count(*)::text, min(\(key))::text, max(\(key))::text FROM \(source.qualified) WHERE \(key) IS NOT NULL").first ?? []
        guard let n = stats.first.flatMap({ $0 }).flatMap({ Int($0) }), n > 0 else {
            throw CaptureError("\(source.origin): the table has no rows; the bench inserts copies of its rows, so it needs some")
        }
        count = n
        integerKey = ["smallint", "integer", "bigint"].contains(source.keyType)
        top = integerKey ? Int64(stats[2] ?? "") ?? 0 : 0
        bottom = integerKey ? Int64(stats[1] ?? "") ?? 0 : 0
        hadSchema = try session.integer("SELECT count(*) FROM pg_namespace WHERE nspname = 'hutong'") == 1
        let typeOf = Dictionary(try session.rows("""
            SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped
            """, [.text(source.qualified)]).map { ($0[0] ?? "", $0[1] ?? "text") }, uniquingKeysWith: { a, _ in a })
        types = source.columns.map { typeOf[$0] ?? "text" }
        keyIndex = source.columns.firstIndex(of: source.keyColumn) ?? 0
        sample = try session.rows("SELECT \(source.columns.map { PostgresTarget.quoted($0) + "::text" }.joined(separator: ", ")) FROM \(source.qualified) WHERE \(key) IS NOT NULL LIMIT \(Self.sampleSize)")
        try session.execute(transaction: [
            "CREATE SCHEMA IF NOT EXISTS hutong",
            "DROP TABLE IF EXISTS \(Self.name)",
            "CREATE TABLE \(Self.name) (LIKE \(source.qualified) INCLUDING ALL)",
        ])
    }

    public func table() throws -> any OutboxTable {
        try PostgresCaptureTable(target: source.target, table: Self.name, key: source.keyColumn, source: "bench")
    }

    private func insert(_ rows: Int, round: Int, offset: Int) -> String {
        let key = PostgresTarget.quoted(source.keyColumn)
        let sets = (rows + count - 1) / count
        let newKey = integerKey
            ? Self.integerKey(offset: offset, sets: sets, top: top, bottom: bottom, key: "t.\(key)", cast: "::bigint")
            : "(t.\(key)::text || '#' || (r.k + \(round * 1_000_000 + offset)))::\(source.keyType)"
        let names = source.columns.map(PostgresTarget.quoted)
        let select = source.columns.map { $0 == source.keyColumn ? newKey : "t." + PostgresTarget.quoted($0) }.joined(separator: ", ")
        return "INSERT INTO \(Self.name) (\(names.joined(separator: ", "))) SELECT \(select) FROM generate_series(0, \(sets - 1)) AS r(k), \(source.qualified) AS t WHERE t.\(key) IS NOT NULL LIMIT \(rows)"
    }

    public func insertBulk(_ rows: Int, round: Int) throws { try session.execute(insert(rows, round: round, offset: 0)) }

    /// postgres-nio sends a connection's statements one after another, each
    /// prepared and answered: about 0.2 ms a row, so 200,000 would take minutes.
    public var batchLimit: Int? { 20_000 }

    public func insertBatch(_ rows: Int, round: Int) throws {
        let names = source.columns.map(PostgresTarget.quoted).joined(separator: ", ")
        let values = types.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
        let sql = "INSERT INTO \(Self.name) (\(names)) VALUES (\(values))"
        try session.transaction {
            for i in 0..<rows {
                var row = sample[i % sample.count]
                // New keys as `insert` makes them: integers counted on, texts suffixed.
                if integerKey {
                    row[keyIndex] = String(top + 1 + Int64(i))
                } else {
                    row[keyIndex] = "\(row[keyIndex] ?? "")#\(i / sample.count + round * 1_000_000)"
                }
                // Sent ahead of their answers, as a driver's batch is.
                try session.send(sql, row.map(PostgresValue.maybe))
            }
            try session.settle()
        }
    }

    public func insertEach(_ rows: Int, round: Int) throws {
        for i in 0..<rows { try session.execute(insert(1, round: round, offset: 10_000 + i)) }
    }

    public func empty() throws {
        try session.execute("TRUNCATE \(Self.name)")
        if try session.integer("SELECT count(*) FROM pg_class WHERE oid = to_regclass('hutong.outbox')") == 1 {
            try session.execute("DELETE FROM hutong.outbox WHERE tbl = 'hutong.bench'")
            // The bench's notes deleted stay in the outbox until a vacuum, and
            // every read of the source's notes would step over them: a
            // following capture after a bench took 20–30 ms a read, not 4.
            // Only the outbox's owner may vacuum it (else PostgreSQL warns).
            try session.execute("VACUUM hutong.outbox")
        }
        try session.execute("VACUUM \(Self.name)")
    }

    public func drop() throws {
        try table().uninstall()
        try session.execute("DROP TABLE IF EXISTS \(Self.name)")
        if !hadSchema { try session.execute("DROP SCHEMA IF EXISTS hutong CASCADE") }
    }
}
