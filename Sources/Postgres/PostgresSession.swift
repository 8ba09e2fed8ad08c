import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One connection to a PostgreSQL server, used from an ordinary thread: each
/// call waits for its answer. Capture reads an agency's outbox a page at a
/// time and the intake around it is synchronous; waiting here keeps both simple.
public final class PostgresSession: @unchecked Sendable {
    public let target: PostgresTarget
    let connection: PostgresConnection
    static let logger = Logger(label: "hutong.postgres")

    /// - Throws: `PostgresFailure` naming the server and what went wrong (never the password).
    public init(_ target: PostgresTarget) throws(PostgresFailure) {
        self.target = target
        var config = PostgresConnection.Configuration(host: target.host, port: target.port, username: target.user,
                                                      password: target.password, database: target.database, tls: .disable)
        config.options.connectTimeout = .seconds(10)
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config,
                                                        id: 1, logger: Self.logger).wait()
        } catch {
            throw PostgresFailure(target: target, error)
        }
    }

    deinit { _ = try? connection.close().wait() }

    /// Runs one statement with `binds` ($1, $2, …), returning its rows,
    /// each value as the text PostgreSQL writes it (nil for NULL): cast
    /// columns to text in the statement (`col::text`) for exact values of any type.
    /// Statements sent are answered in order, so this waits for those sent before (`send`) first.
    @discardableResult
    public func rows(_ sql: String, _ binds: [PostgresValue] = []) throws(PostgresFailure) -> [[String?]] {
        try settle()
        do {
            let result = try connection.query(PostgresQuery(unsafeSQL: sql, binds: try Self.bindings(binds)), logger: Self.logger).wait()
            return try result.rows.map { row in try row.map(Self.text) }
        } catch {
            throw PostgresFailure(target: target, error)
        }
    }

    /// Statements sent and not yet answered.
    private var sent: [EventLoopFuture<PostgresQueryResult>] = []
    /// At most this many statements are sent ahead of their answers.
    static let unanswered = 8

    /// Sends a statement without waiting for it: the caller goes on (the
    /// store prepares its next batch) while the server runs it. Its failure
    /// is thrown by the next call that waits (`rows`, `settle`); in a
    /// transaction, the server refuses everything after a failure, so
    /// nothing after it takes effect either.
    public func send(_ sql: String, _ binds: [PostgresValue] = []) throws(PostgresFailure) {
        // A sender faster than the server waits for the oldest: what waits to be sent stays bounded.
        while sent.count >= Self.unanswered {
            let oldest = sent.removeFirst()
            do { _ = try oldest.wait() } catch {
                try? settle()
                throw PostgresFailure(target: target, error)
            }
        }
        do {
            sent.append(connection.query(PostgresQuery(unsafeSQL: sql, binds: try Self.bindings(binds)), logger: Self.logger))
        } catch {
            throw PostgresFailure(target: target, error)
        }
    }

    /// Waits for every statement sent; throws the first failure among them.
    public func settle() throws(PostgresFailure) {
        guard !sent.isEmpty else { return }
        let waiting = sent
        sent.removeAll()
        var first: (any Error)?
        for f in waiting {
            do { _ = try f.wait() } catch { if first == nil { first = error } }
        }
        if let first { throw PostgresFailure(target: target, first) }
    }

    static func bindings(_ binds: [PostgresValue]) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for b in binds {
            switch b {
            case .text(let t): bindings.append(t)
            case .int(let n): bindings.append(n)
            case .texts(let t): try bindings.append(t)
            case .ints(let n): try bindings.append(n)
            case .textArray(let a): bindings.append(a)
            case .null: bindings.appendNull()
            }
        }
        return bindings
    }

    /// Runs one statement without parameters (postgres-nio sends every
    /// statement as a prepared one: one statement a call).
    public func execute(_ statement: String) throws(PostgresFailure) {
        try rows(statement)
    }

    /// Runs `statements` in one transaction.
    public func execute(transaction statements: [String]) throws {
        try transaction { for s in statements { try execute(s) } }
    }

    /// A cell as text: texts as they are, integers and booleans written out
    /// (postgres-nio receives those in binary), anything else as its text.
    static func text(_ cell: PostgresCell) throws -> String? {
        guard cell.bytes != nil else { return nil }
        switch cell.dataType {
        case .int2, .int4, .int8: return String(try cell.decode(Int64.self))
        case .bool: return String(try cell.decode(Bool.self))
        default: return try cell.decode(String.self)
        }
    }

    /// The first column of the first row, as an integer (a count); nil when none.
    public func integer(_ sql: String, _ binds: [PostgresValue] = []) throws(PostgresFailure) -> Int64? {
        guard let row = try rows(sql, binds).first, let first = row.first, let text = first else { return nil }
        return Int64(text)
    }

    /// `body` inside `begin` … COMMIT; rolled back when it throws.
    public func transaction<T>(_ begin: String = "BEGIN", _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? settle()
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Calls `wake` (on another thread) for every notification on `channel`.
    /// This connection should do nothing else: a connection in a transaction
    /// holds its notifications back until the transaction ends.
    public func listen(_ channel: String, wake: @escaping @Sendable () -> Void) throws(PostgresFailure) {
        connection.addListener(channel: channel) { _, _ in wake() }
        try execute("LISTEN \(PostgresTarget.quoted(channel))")
    }

    public var isClosed: Bool { connection.isClosed }
}

/// A value bound to a statement's parameter.
public enum PostgresValue: Sendable {
    case text(String)
    case int(Int64)
    case texts([String])
    case ints([Int64])
    /// A `text[]` built in its wire form (`PostgresTextArray`).
    case textArray(PostgresTextArray)
    case null

    /// A text, or NULL.
    public static func maybe(_ text: String?) -> PostgresValue { text.map { .text($0) } ?? .null }
    /// An integer, or NULL.
    public static func maybe(_ n: Int64?) -> PostgresValue { n.map { .int($0) } ?? .null }
}
