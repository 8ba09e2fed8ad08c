import Foundation
import Store

/// A thread of our own that runs the work given to it in order, at the
/// helpers' priority (`ThreadPriority`): a dispatch queue's threads come from
/// a shared pool, whose priority must not be lowered for everyone.
final class CheckingLane: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [() -> Void] = []

    init(name: String) {
        let thread = Thread { self.run() }
        thread.name = name
        thread.start()
    }

    func async(_ item: @escaping () -> Void) {
        condition.lock()
        work.append(item)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        ThreadPriority.lower(to: ThreadPriority.helper)
        while true {
            condition.lock()
            while work.isEmpty { condition.wait() }
            let items = work
            work = []
            condition.unlock()
            for item in items { item() }
        }
    }
}
