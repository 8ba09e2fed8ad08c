import PostgresNIO

extension PostgresFailure {
    /// `error` from talking to `target`, in words an operator can act on.
    init(target: PostgresTarget, _ error: any Error) {
        guard let e = error as? PSQLError else {
            self.init("\(target): \(error)")
            return
        }
        if let fields = e.serverInfo {
            let code = fields[.sqlState]
            let message = fields[.message] ?? "error"
            let hint: String
            switch code {
            case "28P01", "28000": hint = "; check the user and its password (password_file or PGPASSWORD)"
            case "3D000": hint = "; check the database name at the end of the URL"
            case "42501": hint = "; the user lacks a privilege for this (GRANT it, or let a DBA run `hutong capture install --print`)"
            default: hint = ""
            }
            self.init("\(target): \(message)\(code.map { " [SQLSTATE \($0)]" } ?? "")\(hint)", sqlState: code)
            return
        }
        switch e.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown:
            self.init("\(target): cannot connect (\(e.underlying.map { "\($0)" } ?? "connection refused or lost")); is the server running and reachable?")
        default:
            self.init("\(target): \(e.code)\(e.underlying.map { ": \($0)" } ?? "")")
        }
    }
}
