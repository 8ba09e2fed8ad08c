import Dispatch

/// Work on independent items spread over the cores in contiguous slices,
/// results in item order: how a source maps its rows and the intake checks
/// its records.
enum Lanes {
    /// Below this many items per slice a second core costs more than it saves.
    static let smallest = 32

    static func map<T: Sendable, R>(_ items: [T], workers: Int, _ transform: @Sendable (T) -> R) -> [R] {
        guard workers > 1, items.count >= 2 * smallest else { return items.map(transform) }
        // More slices than workers: a core busy elsewhere (the store's thread)
        // holds up one small slice, not half the batch.
        let slices = min(workers * 4, items.count / smallest)
        let per = (items.count + slices - 1) / slices
        var parts = [[R]](repeating: [], count: slices)
        parts.withUnsafeMutableBufferPointer { out in
            let out = UnsafeSendable(out)
            DispatchQueue.concurrentPerform(iterations: slices) { s in
                out.value[s] = items[(s * per)..<min(items.count, (s + 1) * per)].map(transform)
            }
        }
        return parts.flatMap { $0 }
    }
}

/// Lets a buffer cross into `concurrentPerform`, whose iterations write disjoint parts of it.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
