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

    /// Runs one statement with `binds` ($1, $2, …), returning its rows.
    @discardableResult
    public func query(_ sql: String, _ binds: [any PostgresEncodable & Sendable] = []) throws(PostgresFailure) -> [PostgresRow] {
        do {
            var bindings = PostgresBindings()
            for b in binds { try bindings.append(b) }
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: Self.logger).wait().rows
        } catch {
            throw PostgresFailure(target: target, error)
        }
    }

    /// Runs SQL text of several statements (a script), in one round trip.
    public func execute(_ script: String) throws(PostgresFailure) {
        do { _ = try connection.simpleQuery(script).wait() } catch { throw PostgresFailure(target: target, error) }
    }

    /// `body` inside BEGIN … COMMIT; rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Calls `wake` (on another thread) for every notification on `channel`.
    /// The session should do nothing else: a connection in a transaction
    /// holds its notifications back until the transaction ends.
    public func listen(_ channel: String, wake: @escaping @Sendable () -> Void) throws(PostgresFailure) {
        connection.addListener(channel: channel) { _, _ in wake() }
        try execute("LISTEN \(PostgresTarget.quoted(channel))")
    }

    public var isClosed: Bool { connection.isClosed }
}
