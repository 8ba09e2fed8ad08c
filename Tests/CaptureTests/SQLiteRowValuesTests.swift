import Foundation
import GRDB
import Normalise
import Testing
@testable import Capture

/// Reading an agency table's columns straight from SQLite gives each value
/// exactly as reading it through a GRDB value does, for every type a column
/// can hold, at the edges of each.
@Suite struct SQLiteRowValuesTests {
    @Test func everyTypeReadsAsThroughGRDB() throws {
        let queue = try DatabaseQueue()
        let values: [DatabaseValueConvertible?] = [
            nil, 0, 1, -1, Int64.max, Int64.min, 0.1, -0.0, 1e300, 5e-324, Double.greatestFiniteMagnitude, 1.0, 123.456,
            "", " ", "京市监罚〔2023〕1号", "emoji 🧧", String(repeating: "长", count: 10_000),
            Data(), Data([0, 1, 0xfe, 0xff]), Data(repeating: 7, count: 3_000),
        ]
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, v)")
            for (k, v) in values.enumerated() { try db.execute(sql: "INSERT INTO t VALUES (?, ?)", arguments: [k, v]) }
            // Text that is not UTF-8, and text with a NUL byte inside.
            try db.execute(sql: "INSERT INTO t VALUES (?, CAST(x'c3288041' AS TEXT))", arguments: [values.count])
            try db.execute(sql: "INSERT INTO t VALUES (?, CAST(x'610062' AS TEXT))", arguments: [values.count + 1])
        }
        let expected = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT k, v FROM t ORDER BY k").map { ($0[0] as Int64, SQLiteTableRows.value($0[1] as DatabaseValue)) }
        }
        var read: [(Int64, RowValue)] = []
        try queue.read { db in
            try SQLiteRowValues.rows(db, sql: "SELECT k, v FROM t WHERE k >= ? ORDER BY k", arguments: [0], key: "K", valuesFrom: 1) { values, key in
                read.append((Int64.fromDatabaseValue(key) ?? -1, values[0]))
            }
        }
        #expect(read.count == values.count + 2)
        let blob = values.firstIndex { ($0 as? Data) == Data([0, 1, 0xfe, 0xff]) }!
        #expect(read[blob].1 == .text("0001feff"), "a BLOB reads as its hex digits")
        for ((k, got), (_, want)) in zip(read, expected) {
            // GRDB's text stops at a NUL byte; the column's bytes do not.
            if k == values.count + 1 {
                #expect(got == .text("a\u{0}b"))
            } else {
                #expect(got == want, "row \(k)")
            }
        }
    }
}
