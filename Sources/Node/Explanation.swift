/// The answer to "why is this not syncing?" for one peer and one record
/// type: the path a record takes — capture → mapping → store → grant → peer
/// cursor → transport — walked link by link, with the first broken link named
/// in plain words (`hutong status --explain`, the status page).
public struct Explanation: Sendable {
    public enum Stage: String, Sendable, CaseIterable {
        case capture, mapping, store, grant, cursor, transport
    }

    public enum State: String, Sendable {
        /// Works.
        case ok
        /// Works, but something needs a look (quarantined rows, a certificate about to expire).
        case warning
        /// Nothing to pass on (no record of the type here): not a fault.
        case idle
        /// Left out on purpose: the peer is not granted the type.
        case off
        /// Records stop here.
        case broken
    }

    public struct Link: Sendable {
        public let stage: Stage
        public let state: State
        public let text: String
    }

    public let peer: String
    public let type: String
    /// Every stage, in the order a record passes them.
    public let links: [Link]

    /// The first link that stops records (broken, off or idle), if any.
    public var stop: Link? { links.first { $0.state == .broken || $0.state == .off || $0.state == .idle } }

    /// The verdict: the first stop, or "syncing".
    public var state: State {
        if let stop { return stop.state }
        return links.contains { $0.state == .warning } ? .warning : .ok
    }

    /// One line: "penalty → B: B lacks 12 changes, the oldest 3 h old, because …".
    public var summary: String {
        guard let stop else {
            let warnings = links.filter { $0.state == .warning }.map(\.text)
            return "\(type) → \(peer): syncing" + (warnings.isEmpty ? "" : "; but " + warnings.joined(separator: "; "))
        }
        var text = "\(type) → \(peer): \(stop.text)"
        // A peer behind is a symptom; the cause is further down the path.
        if stop.stage == .cursor, let cause = links.first(where: { $0.stage == .transport && $0.state == .broken }) {
            text += ", because " + cause.text
        }
        return text
    }
}
