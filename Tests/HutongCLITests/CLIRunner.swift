import Foundation
import HutongTesting
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `hutong` as a child process and reports its exit status,
/// output and peak memory (from wait4), as a user or operator would see them.
struct CLIRun {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Peak resident memory of the process in KiB.
    let maxRSSKiB: Int

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

enum CLI {
    static let repo = TestRepository.root

    static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hutong").path,
            repo.appendingPathComponent(".build/debug/hutong").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    static func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "hutong-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                    executable: String? = nil) throws -> CLIRun {
        let dir = try temporaryDirectory()
        let out = dir + "/stdout", err = dir + "/stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        // `env -C` changes directory and then execs hutong in the same process.
        let argv = ["/usr/bin/env", "-C", directory ?? FileManager.default.currentDirectoryPath, executable ?? binary] + arguments
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0)=\($1)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/env", &actions, nil, cArgs, cEnv)
        guard rc == 0 else { throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: binary]) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let result = CLIRun(
            status: exit,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "",
            maxRSSKiB: Int(usage.ru_maxrss))
        try? FileManager.default.removeItem(atPath: dir)
        return result
    }

    /// Starts hutong without waiting, for tests that kill it midway or run
    /// servers; its output goes to `log` (appended) when given.
    static func spawn(_ arguments: [String], in directory: String, log: String? = nil, environment extra: [String: String] = [:]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = ["/usr/bin/env", "-C", directory, binary] + arguments
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = ProcessInfo.processInfo.environment.merging(extra) { $1 }.map { strdup("\($0)=\($1)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/bin/env", &actions, nil, cArgs, cEnv) == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: binary])
        }
        return pid
    }

    /// Whether the spawned process `pid` has not exited yet (it is not reaped).
    static func isRunning(_ pid: pid_t) -> Bool {
        Glibc.kill(pid, 0) == 0 && !isZombie(pid)
    }

    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    /// Kills a spawned process at once (SIGKILL: no chance to clean up) and reaps it.
    /// Returns false when it had already finished by itself.
    @discardableResult
    static func kill(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        _ = Glibc.kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return true
    }
}
