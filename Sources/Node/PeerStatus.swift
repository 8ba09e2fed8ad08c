import Foundation
import Store
import Transport

/// One peer as `hutong status`, the status page and the metrics show it:
/// how this node's syncs with it went, when it last called, and what of this
/// node's change log it still lacks.
public struct PeerStatus: Sendable {
    public let entry: PeerEntry
    public let contact: PeerContact
    public let push: PeerCursor?
    public let pull: PeerCursor?
    /// How far the peer has this node's change log: the further of our push
    /// cursor (what it acknowledged) and where its last pull here started.
    public let hasUpTo: Int64
    /// What it lacks, counted up to `Node.pendingLimit`.
    public let pending: PendingChanges

    /// The age of the oldest change the peer lacks, by its clock stamp; 0 when none.
    public func lagSeconds(now: Date = Date()) -> Double {
        guard let oldest = pending.oldestMillis else { return 0 }
        return max(0, now.timeIntervalSince1970 - Double(oldest) / 1_000)
    }

    /// "3 changes waiting, the oldest 4 s old" or "has everything".
    public func lagText(now: Date = Date()) -> String {
        guard pending.count > 0 else { return "has every change (up to \(hasUpTo))" }
        return "lacks \(pending.count)\(pending.more ? "+" : "") change\(pending.count == 1 && !pending.more ? "" : "s"), the oldest \(Age.text(lagSeconds(now: now))) old"
    }
}

extension Node {
    /// Pending changes are counted up to this many: a peer far behind costs a bounded read.
    public static let pendingLimit = 100_000

    public func peerStatuses() throws -> [PeerStatus] {
        let contacts = Dictionary(uniqueKeysWithValues: try store.peerContacts().map { ($0.peer, $0) })
        return try configuration.peers.map { p in
            let contact = contacts[p.name] ?? PeerContact(peer: p.name)
            let push = try store.cursor(peer: p.name, direction: .push)
            let pull = try store.cursor(peer: p.name, direction: .pull)
            let upTo = hasUpTo(push: push, contact: contact)
            return PeerStatus(entry: p, contact: contact, push: push, pull: pull, hasUpTo: upTo,
                              pending: try store.pendingChanges(for: p.name, after: upTo, type: nil, limit: Self.pendingLimit))
        }
    }

    func hasUpTo(push: PeerCursor?, contact: PeerContact) -> Int64 {
        let pushed = push.map { $0.epoch == store.epoch ? $0.sequence : 0 } ?? 0
        return max(pushed, contact.pulledTo ?? 0)
    }
}

/// Durations in words for operators: "45 s", "12 min", "3 h", "2 days".
public enum Age {
    public static func text(_ seconds: TimeInterval) -> String {
        let s = max(0, seconds)
        if s < 1 { return "\(Int(s * 1_000)) ms" }
        if s < 120 { return "\(Int(s)) s" }
        if s < 7_200 { return "\(Int(s / 60)) min" }
        if s < 172_800 { return "\(Int(s / 3_600)) h" }
        return "\(Int(s / 86_400)) days"
    }

    /// "12 min ago", or "never".
    public static func ago(_ date: Date?, now: Date = Date()) -> String {
        guard let date else { return "never" }
        return text(now.timeIntervalSince(date)) + " ago"
    }
}
