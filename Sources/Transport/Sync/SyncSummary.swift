import Standard
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

    public init(peer: String) { self.peer = peer }

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
