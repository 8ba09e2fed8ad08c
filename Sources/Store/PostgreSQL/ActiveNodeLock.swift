import Foundation
import Postgres

/// Which of several `hutong run` processes on one PostgreSQL store is the
/// active one: the holder of a session-level advisory lock, on a connection
/// of its own. The server releases the lock when that connection ends, so
/// when the active process dies (kill -9, a lost machine) a standby's next
/// try takes it. A process whose lock connection broke can no longer know
/// it is the only one and must stop (`isHeld`).
public final class ActiveNodeLock: @unchecked Sendable {
    public let target: PostgresTarget
    private var session: PostgresSession?
    private var held = false
    /// One lock per store (the schema's name), whatever the database is called.
    static let take = "SELECT pg_try_advisory_lock(hashtext('hutong_store.active'))"

    public init(_ store: PostgresNodeStore) {
        target = store.target
    }

    /// Tries once; true when this process holds the lock (now or already).
    /// - Throws: `PostgresFailure` when the server cannot be reached.
    public func tryTake() throws -> Bool {
        if held, isHeld { return true }
        if session?.isClosed ?? true {
            // A new connection holds nothing: any lock of the old one is gone.
            session = try PostgresSession(target)
            held = false
        }
        held = try session!.rows(Self.take).first?.first == "true"
        return held
    }

    /// Whether the lock is still this process's: taken, and its connection answers.
    public var isHeld: Bool {
        guard held, let session, !session.isClosed else { return false }
        return (try? session.integer("SELECT 1")) == 1
    }
}
