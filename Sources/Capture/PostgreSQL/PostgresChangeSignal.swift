import Dispatch
import Foundation
import Postgres

/// An agency PostgreSQL database's `NOTIFY hutong`, on a connection that does
/// nothing else (a connection inside a transaction holds notifications back).
/// A notification only wakes the capture: notifications are lost while
/// nobody listens, so every (re)connect counts as a change and the outbox is
/// read then. The connection is checked with `SELECT 1` now and then; a lost
/// one is opened again on the next call.
public final class PostgresChangeSignal: ChangeSignal, @unchecked Sendable {
    private let target: PostgresTarget
    private let wake: DispatchSemaphore
    private let lock = NSLock()
    private var session: PostgresSession?
    private var notified = false
    private var checked = Date()
    static let checkEvery: TimeInterval = 30

    init(target: PostgresTarget, wake: DispatchSemaphore) {
        self.target = target
        self.wake = wake
    }

    public func changed() -> Bool {
        guard let session, !session.isClosed else { return connect() }
        if Date().timeIntervalSince(checked) > Self.checkEvery {
            checked = Date()
            if (try? session.execute("SELECT 1")) == nil {
                self.session = nil
                return connect()
            }
        }
        lock.lock()
        defer { lock.unlock() }
        defer { notified = false }
        return notified
    }

    /// Listens again; true when it could (the outbox must be read now), or
    /// when it could not (the capture's own read will say why).
    private func connect() -> Bool {
        do {
            let session = try PostgresSession(target)
            try session.listen("hutong") { [weak self] in
                guard let self else { return }
                self.lock.lock()
                self.notified = true
                self.lock.unlock()
                self.wake.signal()
            }
            self.session = session
            checked = Date()
        } catch {
            session = nil
        }
        return true
    }
}

extension PostgresCaptureTable {
    public func changeSignal(wake: DispatchSemaphore) throws -> (any ChangeSignal)? {
        readonly ? nil : PostgresChangeSignal(target: target, wake: wake)
    }
}
