import Foundation

/// Batches handed from the thread that receives a pull to the one that applies
/// it, in order, at most `capacity` waiting: when the store falls behind, the
/// receiver (and through TCP the peer) waits, so memory holds a few batches
/// however large the log. The receiver ends the queue with `finish`, with its
/// error if it failed (batches already queued are applied first); the applier
/// stops the receiver with `cancel`.
final class BatchQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [Element] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    let capacity: Int

    struct Cancelled: Error {}

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; throws `Cancelled` once the applier has stopped.
    func put(_ batch: Element) throws {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        batches.append(batch)
        condition.broadcast()
    }

    func finish(_ error: (any Error)? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The batches waiting, in order, at most `n`, once there is at least one
    /// (or at once, maybe none, when not `waiting`): an applier that fell
    /// behind catches up with several at once. Empty at the end; the
    /// receiver's error after its last batch.
    func take(upTo n: Int, waiting: Bool = true) throws -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        while waiting && batches.isEmpty && !finished { condition.wait() }
        if !batches.isEmpty {
            condition.broadcast()
            let taken = Array(batches.prefix(n))
            batches.removeFirst(taken.count)
            return taken
        }
        if let failure { throw failure }
        return []
    }

    /// Whether the applier has stopped: the receiver then gives up at once,
    /// even while it waits for a stalled peer.
    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    func cancel() {
        condition.lock()
        cancelled = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
