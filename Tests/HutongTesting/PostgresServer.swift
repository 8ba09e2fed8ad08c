import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Postgres

/// A PostgreSQL 15 server of the tests' own (Debian's `postgresql`): a new
/// cluster in a temporary directory, on a free loopback port, started once
/// per test process and stopped when it exits. The server refuses to run as
/// root, so as root its directory belongs to `postgres` and its programs run
/// through `runuser`. Each test makes a database of its own.
public final class PostgresServer: @unchecked Sendable {
    public static let bin = "/usr/lib/postgresql/15/bin"
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: bin + "/initdb") }
    /// Why PostgreSQL tests do not run here, for the message a skipped test prints.
    public static let missing = "PostgreSQL 15 is not installed (\(bin)): its tests are skipped; `apt-get install postgresql` runs them"

    public let port: Int
    public let directory: String

    /// The server the tests of this process share, started on first use.
    public static let shared: Result<PostgresServer, any Error> = Result { try PostgresServer() }

    /// A server of its own, for tests whose open transactions must not hold
    /// back the capture of other tests (the fence is server-wide).
    public init() throws {
        directory = NSTemporaryDirectory() + "hutong-pg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = Loopback.freePort()
        if getuid() == 0 {
            try Self.run("/bin/chown", ["postgres", directory], asPostgres: false)
        }
        try Self.run(Self.bin + "/initdb", ["-D", directory + "/data", "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"])
        try Self.run(Self.bin + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "start",
                                            "-o", "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"])
        Self.started.withLock { $0.append(directory) }
        atexit {
            for dir in PostgresServer.started.withLock({ $0 }) {
                try? PostgresServer.run(PostgresServer.bin + "/pg_ctl", ["-D", dir + "/data", "-m", "immediate", "stop"])
                try? FileManager.default.removeItem(atPath: dir)
            }
        }
    }

    private static let started = Mutex<[String]>([])

    /// A new, empty database; returns where it is.
    public func database(_ name: String = "t\(UUID().uuidString.prefix(8).lowercased())") throws -> PostgresTarget {
        let admin = try PostgresSession(PostgresTarget(host: "127.0.0.1", port: port, user: "postgres", database: "postgres"))
        try admin.execute("CREATE DATABASE \(PostgresTarget.quoted(name))")
        return PostgresTarget(host: "127.0.0.1", port: port, user: "postgres", database: name)
    }

    /// Runs a program to its end (as `postgres` when this is root), its
    /// output kept in a file: the server pg_ctl starts keeps the descriptors
    /// it inherited, so a pipe would never reach its end.
    static func run(_ program: String, _ arguments: [String], asPostgres: Bool = true) throws {
        let argv = asPostgres && getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
        let log = NSTemporaryDirectory() + "hutong-pg-run-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ) == 0 else {
            throw PostgresFailure("cannot start \(argv[0])")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw PostgresFailure("\((program as NSString).lastPathComponent) \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}

/// A lock around a value (Synchronization's Mutex needs macOS 15; the tests run on Linux and macOS 14).
public final class Mutex<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    public init(_ value: T) { self.value = value }
    public func withLock<R>(_ body: (inout T) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
