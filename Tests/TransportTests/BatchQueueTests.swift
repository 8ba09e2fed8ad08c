import Foundation
import Testing
@testable import Transport

/// The hand-over between the thread that receives a pull and the one that applies it.
@Suite struct BatchQueueTests {
    struct Failed: Error {}

    @Test func batchesArriveInOrderAndTheReceiverWaitsForRoom() throws {
        let queue = BatchQueue<Int>(capacity: 3)
        let putAll = DispatchSemaphore(value: 0)
        let maxWaiting = ManagedMax()
        Thread.detachNewThread {
            for i in 0..<100 { try? queue.put(i) }
            queue.finish()
            putAll.signal()
        }
        var got: [Int] = []
        while case let batches = try queue.take(upTo: 10), !batches.isEmpty {
            maxWaiting.note(batches.count)
            got += batches
            Thread.sleep(forTimeInterval: 0.001)
        }
        putAll.wait()
        #expect(got == Array(0..<100))
        // Never more than the capacity waited to be taken.
        #expect(maxWaiting.value <= 3)
    }

    @Test func theReceiversErrorComesAfterItsLastBatch() throws {
        let queue = BatchQueue<Int>(capacity: 4)
        try queue.put(1)
        try queue.put(2)
        queue.finish(Failed())
        #expect(try queue.take(upTo: 10) == [1, 2])
        #expect(throws: Failed.self) { try queue.take(upTo: 10) }
    }

    @Test func cancellingStopsAReceiverWaitingForRoom() throws {
        let queue = BatchQueue<Int>(capacity: 1)
        try queue.put(1)
        let stopped = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var thrown = false
        Thread.detachNewThread {
            do { try queue.put(2) } catch { thrown = error is BatchQueue<Int>.Cancelled }
            stopped.signal()
        }
        Thread.sleep(forTimeInterval: 0.05)
        queue.cancel()
        #expect(stopped.wait(timeout: .now() + 5) == .success)
        #expect(thrown)
        #expect(queue.isCancelled)
        #expect(try queue.take(upTo: 1, waiting: false).isEmpty)
    }

    final class ManagedMax: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var value = 0
        func note(_ n: Int) { lock.lock(); value = max(value, n); lock.unlock() }
    }
}
