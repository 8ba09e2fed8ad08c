import Postgres

/// Several writes as one statement, each a data-modifying `WITH` part: the
/// server runs them together, and one statement is one wait for the
/// connection (postgres-nio sends the next statement once the last is
/// answered, so each statement more left the server idle for a round trip).
/// The parts must not touch the same row twice (they see one snapshot).
struct WriteStatement {
    private var parts: [String] = []
    private(set) var binds: [PostgresValue] = []

    var isEmpty: Bool { parts.isEmpty }

    /// Adds a part; `sql` is given the number of its first parameter ($n).
    mutating func add(_ values: [PostgresValue], _ sql: (Int) -> String) {
        parts.append("w\(parts.count) AS (\(sql(binds.count + 1)))")
        binds += values
    }

    var sql: String { "WITH " + parts.joined(separator: ", ") + " SELECT 1" }

    /// `$first::type[], $first+1::type[], …` for the element types `types`.
    static func arrays(_ first: Int, _ types: [String]) -> String {
        types.enumerated().map { "$\(first + $0.offset)::\($0.element)[]" }.joined(separator: ", ")
    }
}
