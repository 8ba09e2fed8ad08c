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

    /// The arrays `$first, $first+1, …` (element types `columns`) side by
    /// side as a table `u` with the columns' names. Each `unnest` is in the
    /// select list, where they run in step and hand each row on as it comes;
    /// `unnest(a, b, …)` in FROM first copies all rows into a tuplestore, which
    /// made the server's part of storing a version a third dearer (measured).
    static func rows(_ first: Int, _ columns: KeyValuePairs<String, String>) -> String {
        "(SELECT " + columns.enumerated().map { "unnest($\(first + $0.offset)::\($0.element.value)[]) AS \($0.element.key)" }.joined(separator: ", ") + ") AS u"
    }
}
