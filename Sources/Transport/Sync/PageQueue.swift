import Foundation

/// Pages handed from the thread that receives a pull to the one that applies
/// it, in order, at most `capacity` waiting: when the store falls behind, the
/// receiver (and through TCP the peer) waits, so memory holds a few pages
/// however large the log. The receiver ends the queue with `finish`, with its
/// error if it failed (pages already queued are applied first); the applier
/// stops the receiver with `cancel`.
final class PageQueue<Page>: @unchecked Sendable {
    private let condition = NSCondition()
    private var pages: [Page] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    let capacity: Int

    struct Cancelled: Error {}

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; throws `Cancelled` once the applier has stopped.
    func put(_ page: Page) throws {
        condition.lock()
        defer { condition.unlock() }
        while pages.count >= capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        pages.append(page)
        condition.broadcast()
    }

    func finish(_ error: (any Error)? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The pages waiting, in order, at most `n`, once there is at least one
    /// (or at once, maybe none, when not `waiting`): an applier that fell
    /// behind catches up with several at once. Empty at the end; the
    /// receiver's error after its last page.
    func take(upTo n: Int, waiting: Bool = true) throws -> [Page] {
        condition.lock()
        defer { condition.unlock() }
        while waiting && pages.isEmpty && !finished { condition.wait() }
        if !pages.isEmpty {
            condition.broadcast()
            let taken = Array(pages.prefix(n))
            pages.removeFirst(taken.count)
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
        pages.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
