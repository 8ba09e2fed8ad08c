import Postgres

/// `hutong.bench`: a table LIKE the captured one (its types, key, defaults
/// and indexes), filled with copies of its rows under new keys.
public struct PostgresBenchScratch: BenchScratch {
    let source: PostgresCaptureTable
    let session: PostgresSession
    static let name = "hutong.bench"
    let integerKey: Bool
    let span: Int64
    let count: Int
    /// Whether the schema hutong was there before (else it is dropped after).
    let hadSchema: Bool

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
        span = integerKey ? (Int64(stats[2] ?? "") ?? 0) - (Int64(stats[1] ?? "") ?? 0) + 1 : 0
        hadSchema = try session.integer("SELECT count(*) FROM pg_namespace WHERE nspname = 'hutong'") == 1
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
            ? "t.\(key) + (r.k + 1 + \(round * 1_000_000 + offset)) * \(span)"
            : "(t.\(key)::text || '#' || (r.k + \(round * 1_000_000 + offset)))::\(source.keyType)"
        let names = source.columns.map(PostgresTarget.quoted)
        let select = source.columns.map { $0 == source.keyColumn ? newKey : "t." + PostgresTarget.quoted($0) }.joined(separator: ", ")
        return "INSERT INTO \(Self.name) (\(names.joined(separator: ", "))) SELECT \(select) FROM generate_series(0, \(sets - 1)) AS r(k), \(source.qualified) AS t WHERE t.\(key) IS NOT NULL LIMIT \(rows)"
    }

    public func insertBulk(_ rows: Int, round: Int) throws { try session.execute(insert(rows, round: round, offset: 0)) }

    public func insertEach(_ rows: Int, round: Int) throws {
        for i in 0..<rows { try session.execute(insert(1, round: round, offset: 10_000 + i)) }
    }

    public func empty() throws {
        try session.execute("TRUNCATE \(Self.name)")
        if try session.integer("SELECT count(*) FROM pg_class WHERE oid = to_regclass('hutong.outbox')") == 1 {
            try session.execute("DELETE FROM hutong.outbox WHERE tbl = 'hutong.bench'")
        }
        try session.execute("VACUUM \(Self.name)")
    }

    public func drop() throws {
        try table().uninstall()
        try session.execute("DROP TABLE IF EXISTS \(Self.name)")
        if !hadSchema { try session.execute("DROP SCHEMA IF EXISTS hutong CASCADE") }
    }
}
