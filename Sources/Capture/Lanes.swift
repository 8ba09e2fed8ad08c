import Dispatch
import Foundation

/// Work on independent items spread over the cores, results in item order:
/// how the intake maps and checks a batch. Each core works with a context of
/// its own (its copy of the standard and of the mapping): objects shared
/// between cores would have their reference counts bounce between the
/// cores' caches at every row.
enum Lanes {
    /// Below this many items per slice a second core costs more than it saves.
    static let smallest = 32

    static func map<T: Sendable, C: Sendable, R>(_ items: [T], contexts: [C], _ transform: @Sendable (T, C) -> R) -> [R] {
        let workers = contexts.count
        guard workers > 1, items.count >= 2 * smallest else { return items.map { transform($0, contexts[0]) } }
        // More slices than cores, taken in turn: a core busy elsewhere (the
        // store's thread) holds up one small slice, not half the batch.
        let slices = min(workers * 4, items.count / smallest)
        let per = (items.count + slices - 1) / slices
        var parts = [[R]](repeating: [], count: slices)
        let next = SliceCounter()
        parts.withUnsafeMutableBufferPointer { out in
            let out = UnsafeSendable(out)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let context = contexts[w]
                while let s = next.take(below: slices) {
                    out.value[s] = items[(s * per)..<min(items.count, (s + 1) * per)].map { transform($0, context) }
                }
            }
        }
        return parts.flatMap { $0 }
    }
}

/// Hands out slice numbers to the cores, each once.
private final class SliceCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}

/// Lets a buffer cross into `concurrentPerform`, whose iterations write disjoint parts of it.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
