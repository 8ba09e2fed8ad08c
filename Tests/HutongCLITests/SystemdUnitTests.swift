import Foundation
import Testing

/// The units in deploy/systemd, as systemd itself reads them
/// (`systemd-analyze verify`: unknown keys, bad values, a missing command).
@Suite struct SystemdUnitTests {
    static let units = ["hutong.service", "hutong-sync.service", "hutong-sync.timer"]

    @Test func theUnitsVerifyWithoutAWarning() throws {
        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is missing: apt-get install systemd")
        let dir = try CLI.temporaryDirectory()
        // The command as built here, where the unit names the installed one.
        for unit in Self.units {
            let text = try String(contentsOf: CLI.repo.appendingPathComponent("deploy/systemd/\(unit)"), encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/hutong", with: CLI.binary).write(toFile: "\(dir)/\(unit)", atomically: true, encoding: .utf8)
        }
        let verified = try CLI.run(["verify"] + Self.units.map { "\(dir)/\($0)" }, in: dir, executable: analyze)
        #expect(verified.status == 0 && verified.stderr.isEmpty && verified.stdout.isEmpty, "\(verified.stdout)\(verified.stderr)")

        // The daemon is a notify service with a watchdog, reloaded by SIGHUP, hardened.
        let service = try String(contentsOf: CLI.repo.appendingPathComponent("deploy/systemd/hutong.service"), encoding: .utf8)
        for line in ["Type=notify", "WatchdogSec=", "ExecReload=/bin/kill -HUP $MAINPID", "User=hutong", "StateDirectory=hutong",
                     "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n",
                     "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "SystemCallFilter=@system-service"] {
            #expect(service.contains(line), "hutong.service lacks \(line)")
        }
        // A broken unit is caught: the check can fail.
        try service.replacingOccurrences(of: "@system-service", with: "@no-such-group").write(toFile: "\(dir)/broken.service", atomically: true, encoding: .utf8)
        let broken = try CLI.run(["verify", "\(dir)/broken.service"], in: dir, executable: analyze)
        #expect(broken.stderr.contains("no-such-group"), "\(broken.stderr)")
    }
}
