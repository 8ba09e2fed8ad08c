import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Daemon

/// The sd_notify protocol against real datagram sockets, and the state lock.
@Suite struct SystemdNotifierTests {
    /// A datagram socket bound at `name` (a path, or abstract with '@').
    static func listen(_ name: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &a.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let bound = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        try #require(bound == 0, "bind \(name): \(String(cString: strerror(errno)))")
        return fd
    }

    static func receive(_ fd: Int32) -> String? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 2_000) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
    }

    @Test(arguments: ["path", "abstract"]) func messagesArriveAsOneDatagramEach(kind: String) throws {
        let name = kind == "path" ? NSTemporaryDirectory() + "notify-\(UUID().uuidString.prefix(8))" : "@hutong-notify-\(UUID().uuidString.prefix(8))"
        let fd = try Self.listen(name)
        defer { close(fd); if kind == "path" { unlink(name) } }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name, "WATCHDOG_USEC": "3000000"])
        #expect(notifier.isActive)
        #expect(notifier.watchdogInterval == 1.5)
        notifier.ready(status: "node a: 1 sources\nsecond line")
        #expect(Self.receive(fd) == "READY=1\nSTATUS=node a: 1 sources second line")
        notifier.watchdog()
        #expect(Self.receive(fd) == "WATCHDOG=1")
        notifier.reloading()
        let reloading = Self.receive(fd)
        #expect(reloading?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true && UInt64(reloading!.split(separator: "=").last!) ?? 0 > 0)
        notifier.stopping()
        #expect(Self.receive(fd) == "STOPPING=1")
    }

    /// A listener that does not read: its queue fills, and the notifier drops
    /// messages instead of blocking the daemon's thread.
    @Test func aListenerThatDoesNotReadNeverBlocksTheDaemon() throws {
        let name = "@hutong-notify-\(UUID().uuidString.prefix(8))"
        let fd = try Self.listen(name)
        defer { close(fd) }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        let start = Date()
        let sent = (0..<100).map { _ in notifier.notify("WATCHDOG=1") }
        #expect(sent.first == true && sent.contains(false), "\(sent)")
        #expect(Date().timeIntervalSince(start) < 10, "notify blocked on a full queue")
        #expect(Self.receive(fd) == "WATCHDOG=1")
    }

    @Test func withoutSystemdNothingIsSent() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive && notifier.watchdogInterval == nil)
        #expect(!notifier.notify("READY=1"))
        // A watchdog meant for another process (WATCHDOG_PID) is not ours to feed.
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"]).watchdogInterval == nil)
    }

    @Test func oneDaemonPerStore() throws {
        let store = NSTemporaryDirectory() + "lock-\(UUID().uuidString).sqlite"
        let first = try StateLock(store: store)
        do {
            _ = try StateLock(store: store)
            Issue.record("a second lock on the same store was taken")
        } catch {
            #expect(error.description.contains("pid \(getpid())") && error.description.contains("already running"), "\(error)")
        }
        withExtendedLifetime(first) {}
    }
}
