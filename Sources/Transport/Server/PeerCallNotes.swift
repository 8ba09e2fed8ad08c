import Foundation

/// Which peers' calls are worth a note in the store (`PeerLedger.noteCall`):
/// a peer's first call, a pull that moved, or one two seconds after the last
/// note. A peer that asks every few milliseconds makes no write per request.
final class PeerCallNotes: @unchecked Sendable {
    private let lock = NSLock()
    private var written: [String: (at: Date, pulledTo: Int64?)] = [:]
    static let every: TimeInterval = 2

    func due(_ peer: String, pulledTo: Int64?, now: Date = Date()) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if let last = written[peer], now.timeIntervalSince(last.at) < Self.every, pulledTo == nil || pulledTo == last.pulledTo { return false }
        written[peer] = (now, pulledTo ?? written[peer]?.pulledTo)
        return true
    }
}
