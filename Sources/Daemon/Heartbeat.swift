import Foundation

/// When each of the daemon's loops last went round, so that the watchdog
/// is fed only while they all make progress: a loop stuck on I/O gets the
/// service restarted instead of being hidden by a timer that keeps pinging.
public final class Heartbeat: @unchecked Sendable {
    private let lock = NSLock()
    private var beats: [String: Date] = [:]

    public init() {}

    public func beat(_ loop: String) {
        lock.lock()
        beats[loop] = Date()
        lock.unlock()
    }

    /// The loops silent for longer than `limit`, by name.
    public func silent(longerThan limit: TimeInterval, now: Date = Date()) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return beats.filter { now.timeIntervalSince($0.value) > limit }.map(\.key).sorted()
    }

    public func forget(_ loop: String) {
        lock.lock()
        beats[loop] = nil
        lock.unlock()
    }
}

/// A flag set once from any thread (a graceful shutdown), read by loops on threads of their own.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    let wake = DispatchSemaphore(value: 0)

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return set
    }

    func raise() {
        lock.lock()
        set = true
        lock.unlock()
        wake.signal()
    }
}
