import Foundation

/// Connections to one database, opened when needed and kept for the next
/// caller, each used by one thread at a time. A connection that broke (the
/// server restarted) is dropped, and the next caller opens a new one.
public final class PostgresSessionPool: @unchecked Sendable {
    public let target: PostgresTarget
    /// Statements every new connection runs first (`SET search_path …`).
    let setup: [String]
    let limit: Int
    private let condition = NSCondition()
    private var idle: [PostgresSession] = []
    private var open = 0

    public init(_ target: PostgresTarget, limit: Int, setup: [String] = []) {
        self.target = target
        self.limit = max(1, limit)
        self.setup = setup
    }

    /// Runs `body` on a connection of its own; waits while `limit` are in use.
    public func with<R>(_ body: (PostgresSession) throws -> R) throws -> R {
        let session = try take()
        do {
            let result = try body(session)
            give(session)
            return result
        } catch {
            give(session)
            throw error
        }
    }

    private func take() throws -> PostgresSession {
        condition.lock()
        while idle.isEmpty && open >= limit { condition.wait() }
        if let s = idle.popLast() {
            condition.unlock()
            return s
        }
        open += 1
        condition.unlock()
        do {
            let s = try PostgresSession(target)
            for statement in setup { try s.execute(statement) }
            return s
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func give(_ session: PostgresSession) {
        condition.lock()
        if session.isClosed { open -= 1 } else { idle.append(session) }
        condition.signal()
        condition.unlock()
    }

    /// Closes the connections no one is using (a node at rest).
    public func closeIdle() {
        condition.lock()
        let closing = idle
        idle.removeAll()
        open -= closing.count
        condition.unlock()
        // Each connection closes as its session goes, here, outside the lock.
        withExtendedLifetime(closing) {}
    }
}
