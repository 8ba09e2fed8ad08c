import Foundation
import ServiceLifecycle

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

    /// Runs `body` with a flag raised (and `onStop` called) on a graceful
    /// shutdown or on the group's cancellation (another service failed, e.g.
    /// a listener that cannot bind): a service's loops stop either way.
    static func running(_ body: @escaping @Sendable (StopFlag) async -> Void, onStop: @escaping @Sendable () -> Void = {}) async {
        let stop = StopFlag()
        await withTaskCancellationHandler { await withGracefulShutdownHandler {
            await body(stop)
        } onGracefulShutdown: {
            stop.raise()
            onStop()
        } } onCancel: {
            stop.raise()
            onStop()
        }
    }
}
