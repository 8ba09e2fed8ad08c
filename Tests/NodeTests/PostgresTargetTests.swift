import Foundation
import HutongTesting
import Postgres
import Testing

/// Where a PostgreSQL database is, and the password that must never show:
/// refused in a URL, read from a file, left out of every message.
@Suite struct PostgresTargetTests {
    @Test func aPasswordInTheURLIsRefusedWithoutRepeatingIt() {
        do {
            _ = try PostgresTarget(url: "postgres://hutong:s3cret-pw@db.example:5432/enforcement", passwordFile: nil)
            Issue.record("a URL with a password was taken")
        } catch {
            #expect(error.description.contains("password_file") && !error.description.contains("s3cret-pw"), "\(error)")
        }
        #expect(throws: PostgresFailure.self) { try PostgresTarget(url: "postgres://db.example/enforcement", passwordFile: nil) }
        #expect(throws: PostgresFailure.self) { try PostgresTarget(url: "postgres://hutong@db.example", passwordFile: nil) }
        #expect(throws: PostgresFailure.self) { try PostgresTarget(url: "mysql://hutong@db.example/x", passwordFile: nil) }
    }

    @Test func thePasswordComesFromItsFileAndIsNeverShown() throws {
        let file = NSTemporaryDirectory() + "hutong-pw-\(UUID().uuidString)"
        try "s3cret-pw\n".write(toFile: file, atomically: true, encoding: .utf8)
        let target = try PostgresTarget(url: "postgres://hutong@db.example:6543/enforcement", passwordFile: file)
        #expect(target.port == 6543 && target.user == "hutong" && target.database == "enforcement")
        #expect("\(target)" == "postgres://hutong@db.example:6543/enforcement")
        #expect(throws: PostgresFailure.self) { try PostgresTarget(url: "postgres://hutong@db.example/enforcement", passwordFile: file + ".missing") }
    }

    @Test(.enabled(if: PostgresServer.isAvailable, Comment(rawValue: PostgresServer.missing)))
    func aWrongUserOrDatabaseOrPortIsNamedWithWhatToCheck() throws {
        let server = try PostgresServer.shared.get()
        func failure(_ target: PostgresTarget) -> String {
            do { _ = try PostgresSession(target); return "connected" } catch { return error.description }
        }
        let user = failure(PostgresTarget(host: "127.0.0.1", port: server.port, user: "nobody", database: "postgres", password: "s3cret-pw"))
        #expect(user.contains("nobody") && user.contains("check the user and its password") && !user.contains("s3cret-pw"), "\(user)")
        let database = failure(PostgresTarget(host: "127.0.0.1", port: server.port, user: "postgres", database: "no_such_db"))
        #expect(database.contains("check the database name"), "\(database)")
        let port = failure(PostgresTarget(host: "127.0.0.1", port: Loopback.freePort(), user: "postgres", database: "postgres"))
        #expect(port.contains("cannot connect") && port.contains("is the server running"), "\(port)")
    }
}
