import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The sd_notify protocol, spoken directly: each message is one datagram of
/// `KEY=VALUE` lines to the Unix socket systemd names in `NOTIFY_SOCKET`
/// (abstract when it starts with `@`). No libsystemd is needed. Without
/// `NOTIFY_SOCKET` (run by hand, not as a `Type=notify` service) every
/// message is dropped.
public final class SystemdNotifier: @unchecked Sendable {
    private let address: sockaddr_un?
    private let length: socklen_t
    private let fd: Int32
    /// How often systemd wants `WATCHDOG=1` (half its `WatchdogSec=`); nil when it does not.
    public let watchdogInterval: TimeInterval?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var watchdog: TimeInterval?
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            watchdog = TimeInterval(usec) / 2_000_000
        }
        watchdogInterval = watchdog
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < 108 else {
            address = nil; length = 0; fd = -1
            return
        }
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        // An abstract address: a leading NUL instead of '@', and no NUL at its end.
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &a.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        address = a
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether systemd listens (`NOTIFY_SOCKET` set and a socket made).
    public var isActive: Bool { address != nil && fd >= 0 }

    /// Sends `state` (`READY=1\nSTATUS=…`); false when it could not be sent.
    /// Never blocks: a listener whose queue is full (it reads ten datagrams
    /// behind) is tried three times 5 ms apart, then the message is dropped,
    /// rather than wedging the thread that sends it.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard var address, fd >= 0 else { return false }
        let bytes = Array(state.utf8)
        for attempt in 0..<3 {
            let sent = withUnsafePointer(to: &address) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), sa, length) }
                }
            }
            if sent == bytes.count { return true }
            guard errno == EAGAIN || errno == EWOULDBLOCK, attempt < 2 else { return false }
            usleep(5_000)
        }
        return false
    }

    /// A one-line status, as `systemctl status` shows it (new lines would end it).
    public static func statusLine(_ text: String) -> String {
        "STATUS=" + text.replacingOccurrences(of: "\n", with: " ")
    }

    public func ready(status: String) { notify("READY=1\n" + Self.statusLine(status)) }
    public func status(_ text: String) { notify(Self.statusLine(text)) }
    public func watchdog() { notify("WATCHDOG=1") }
    public func stopping() { notify("STOPPING=1") }
    /// `RELOADING=1` with the monotonic time systemd compares against (systemd ≥ 253 requires it; 252 ignores it).
    public func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        notify("RELOADING=1\nMONOTONIC_USEC=\(UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000)")
    }
}
