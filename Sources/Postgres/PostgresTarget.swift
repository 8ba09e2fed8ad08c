import Foundation

/// Where a PostgreSQL database is, and as whom to connect: from a URL
/// (`postgres://USER@HOST:PORT/DATABASE`) with the password kept apart,
/// in a file or the environment, so that it appears in no configuration
/// file that is shown, and in no message (`description` leaves it out).
public struct PostgresTarget: Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let user: String
    public let database: String
    let password: String?

    public init(host: String, port: Int = 5432, user: String, database: String, password: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
    }

    /// Whether `text` names a PostgreSQL database rather than a file.
    public static func isURL(_ text: String) -> Bool { text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") }

    /// - Parameters:
    ///   - url: `postgres://USER@HOST[:PORT]/DATABASE`; a password in it is refused (it would be shown wherever the URL is).
    ///   - passwordFile: a file holding the password (its first line); else `PGPASSWORD` from the environment, else none.
    /// - Throws: `PostgresFailure` for a URL that cannot be read or a password file that cannot.
    public init(url: String, passwordFile: String?) throws(PostgresFailure) {
        guard Self.isURL(url), let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty else {
            throw PostgresFailure("\(url.split(separator: "@").last.map(String.init) ?? "") is not a PostgreSQL URL; write postgres://USER@HOST:PORT/DATABASE")
        }
        guard parts.password == nil else {
            throw PostgresFailure("postgres://…@\(host): the URL holds a password; put it in a file named by password_file (readable by the node only), or PGPASSWORD")
        }
        guard let user = parts.user, !user.isEmpty else { throw PostgresFailure("postgres://\(host): the URL names no user; write postgres://USER@\(host)/…") }
        let database = String(parts.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw PostgresFailure("postgres://\(user)@\(host): the URL names no database; write …/DATABASE at its end") }
        var password: String?
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw PostgresFailure("cannot read the password file \(passwordFile) for postgres://\(user)@\(host)/\(database)")
            }
            password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        } else {
            password = ProcessInfo.processInfo.environment["PGPASSWORD"]
        }
        self.init(host: host, port: parts.port ?? 5432, user: user, database: database, password: password)
    }

    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// An identifier quoted for SQL.
    public static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    /// A text quoted as an SQL literal.
    public static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}

/// A PostgreSQL error, with the server it came from and, for the server's
/// own errors, its message and SQLSTATE (postgres-nio's description of an
/// error hides them).
public struct PostgresFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The server's SQLSTATE, when the server answered with an error.
    public let sqlState: String?

    public init(_ description: String, sqlState: String? = nil) {
        self.description = description
        self.sqlState = sqlState
    }
}
