import Standard
import Store
import JSON

/// What one `sync --once` did with one peer.
public struct SyncSummary: Sendable {
    public let peer: String
    public var pushed = 0
    public var received = 0
    public var applied = 0
    public var conflicts = 0
    public var quarantined = 0
    public var pushRejected = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    /// HTTP requests made to the peer, retries included.
    public var requests = 0
    public var seconds = 0.0
    public var httpVersion = ""
    /// Set when the exchange with this peer failed; the others go on.
    public var error: String?
    /// The exchange was abandoned because this node is stopping (`SyncRound.stop`).
    public var stopped = false
    /// The same counts by record type, for the daemon's counters.
    public var byType: [String: TypeCounts] = [:]

    /// One record type's share of an exchange.
    public struct TypeCounts: Sendable, Equatable {
        public var sent = 0
        public var received = 0
        /// Received and stored here as a new version (applied, or merged).
        public var stored = 0
        /// Received and quarantined here.
        public var quarantined = 0
        public var conflicts = 0
        public init() {}
    }

    public init(peer: String) { self.peer = peer }

    /// Counts records received by type. `types` and `outcomes` in the batch's
    /// order (versions, then its rejected lines).
    public mutating func tally(received types: [String], _ outcomes: [RecordOutcome]) {
        for (type, outcome) in zip(types, outcomes) {
            var c = byType[type] ?? .init()
            c.received += 1
            switch outcome {
            case .applied, .merged: c.stored += 1
            case .conflict, .divergence: c.conflicts += 1
            case .rejected: c.quarantined += 1
            case .alreadyHad: break
            }
            byType[type] = c
        }
    }

    /// Counts records sent by type.
    public mutating func tally(sent counts: [String: Int]) {
        for (type, n) in counts { byType[type, default: .init()].sent += n }
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["peer"] = .string(peer)
        o["ok"] = .bool(error == nil)
        for (k, v) in [("sent", pushed), ("received", received), ("applied", applied), ("conflicts", conflicts),
                       ("quarantined", quarantined), ("rejected_by_peer", pushRejected),
                       ("bytes_sent", bytesSent), ("bytes_received", bytesReceived), ("requests", requests)] {
            o[k] = .int(Int64(v))
        }
        o["seconds"] = .double(seconds)
        if !httpVersion.isEmpty { o["http"] = .string(httpVersion) }
        if let error { o["error"] = .string(error) }
        return .object(o)
    }
}
