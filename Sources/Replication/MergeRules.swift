import Foundation
import Standard
import JSON

/// Local writes and remote applies, exactly as docs/architecture.md's rules say. Pure: the
/// store calls these inside its transactions and records what they decide.
public enum MergeRules {
    /// A local write of `body` (or a delete) at `node`. Nil when nothing changes:
    /// same content and same tombstone flag make no new version (rule 1).
    /// - Throws: when the node's counter can go no higher (`VersionVector.incremented`).
    public static func write(current: Envelope?, id: String, type: String, body: JSONValue, deleted: Bool,
                             node: String, hlc: HLCTimestamp) throws(EnvelopeError) -> Envelope? {
        let (hash, canonical) = ContentHash.withCanonicalBytes(body)
        return try write(current: current, id: id, type: type, body: body, hash: hash, canonical: canonical, deleted: deleted, node: node, hlc: hlc)
    }

    /// As above, with the body's hash and canonical text worked out already (`LocalRecord`).
    public static func write(current: Envelope?, id: String, type: String, body: JSONValue, hash: String, canonical: [UInt8], deleted: Bool,
                             node: String, hlc: HLCTimestamp) throws(EnvelopeError) -> Envelope? {
        // A masked copy with the same hash is not the same content: the write is whole.
        if let current, current.hash == hash, current.deleted == deleted, current.masked.isEmpty { return nil }
        // A local write dominates every version this node knows, so it also
        // settles any manual conflicts listed on the record.
        var written = Envelope(id: id, type: type, owner: current?.owner ?? node,
                               vv: try (current?.vv ?? VersionVector()).incremented(for: node),
                               hlc: hlc, writer: node, deleted: deleted, hash: hash, body: body)
        written.setBodyText(utf8: canonical)
        return written
    }

    /// What applying a remote version did.
    public enum Outcome: Sendable, Equatable {
        /// New, or it dominated ours: stored exactly as sent (and recorded as from that peer).
        case stored(Envelope)
        /// Ours already includes it.
        case alreadyHad
        /// Concurrent with the same content: stored with the merged vector, as a local change.
        case merged(Envelope)
        /// Concurrent and different: the policy's winner stored with the merged vector; the loser kept.
        case conflict(stored: Envelope, loser: Envelope)
        /// Equal vectors, different content: should never happen; settled by the
        /// tie-break so the network converges (`stored` is nil when ours won).
        case divergence(stored: Envelope?, local: Envelope, remote: Envelope)
        /// Ours already includes it, but held the content masked and it came
        /// whole: our version stored again with the whole body.
        case unmasked(Envelope)
    }

    /// Applies remote version `r` over the local version `l` (rule 2).
    ///
    /// A masked copy (`masked` not empty) carries the hash of the whole body.
    /// Whatever is stored keeps the masked state of the body it stores, so
    /// its hash and body always agree once the mask is accounted for; and of
    /// two copies of the same content the whole one is kept, never the masked.
    public static func apply(_ r: Envelope, over l: Envelope?, policy: ConflictPolicy) -> Outcome {
        guard let l else { return .stored(r) }
        switch r.vv.compare(l.vv) {
        case .dominatedBy:
            if let whole = unmasking(l, with: r) { return .unmasked(whole) }
            return .alreadyHad
        case .equal:
            if r.hash == l.hash && r.deleted == l.deleted {
                if let whole = unmasking(l, with: r) { return .unmasked(whole) }
                return .alreadyHad
            }
            return .divergence(stored: prefers(r, over: l, policy: policy) ? r : nil, local: l, remote: r)
        case .dominates:
            // Newer metadata over the same content held whole: keep the whole body.
            if let whole = unmasking(r, with: l) { return .merged(whole) }
            return .stored(r)
        case .concurrent:
            let winner = prefers(r, over: l, policy: policy) ? r : l
            let loser = winner == r ? l : r
            var stored = unmasking(winner, with: loser) ?? winner
            stored.vv = l.vv.merged(with: r.vv)
            let inherited = Set(l.conflicts).union(r.conflicts)
            if r.hash == l.hash && r.deleted == l.deleted {
                stored.conflicts = settled(inherited, winner: winner)
                return .merged(stored)
            }
            stored.conflicts = policy == .manual ? settled(inherited.union([loser.ref]), winner: winner) : []
            return .conflict(stored: stored, loser: loser)
        }
    }

    /// `masked` with the whole body of `whole`, when `masked` is a masked copy
    /// of the same content that `whole` holds whole; nil otherwise.
    static func unmasking(_ masked: Envelope, with whole: Envelope) -> Envelope? {
        guard !masked.masked.isEmpty, whole.masked.isEmpty, masked.hash == whole.hash, masked.deleted == whole.deleted else { return nil }
        var e = masked
        e.masked = []
        e.body = whole.body
        if let text = whole.bodyText { e.bodyText = text }
        return e
    }

    /// Whether `a` beats `b` under the policy. Each policy is a total order on
    /// versions, so the winner of a set of concurrent versions does not depend
    /// on the order they arrive in (rule 3).
    public static func prefers(_ a: Envelope, over b: Envelope, policy: ConflictPolicy) -> Bool {
        if policy == .ownerWins {
            let ao = a.writer == a.owner, bo = b.writer == b.owner
            if ao != bo { return ao }
        }
        if a.hlc != b.hlc { return a.hlc > b.hlc }
        if a.writer != b.writer { return a.writer > b.writer }
        if a.hash != b.hash { return a.hash > b.hash }
        return a.deleted && !b.deleted
    }

    /// Losing versions as a set keyed by content: the set of losing contents is
    /// the same on every node whatever the arrival order (which writers' dots
    /// are listed with a content can differ: same-content versions merge first
    /// on some nodes). The winner's content is never listed.
    static func settled(_ refs: Set<VersionRef>, winner: Envelope) -> [VersionRef] {
        var byHash: [String: VersionRef] = [:]
        for r in refs where r.hash != winner.hash {
            byHash[r.hash] = byHash[r.hash].map {
                VersionRef(vv: $0.vv.merged(with: r.vv), writer: max($0.writer, r.writer), hash: r.hash)
            } ?? r
        }
        return byHash.keys.sorted().map { byHash[$0]! }
    }
}
