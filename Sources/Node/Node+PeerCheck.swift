import Standard
import Transport

/// What `hutong peers check` found at a peer: that it answers over TLS with
/// the pinned key, is the node it should be, signs with the configured key,
/// and what each side grants the other.
public struct PeerCheck: Sendable {
    public let peer: PeerEntry
    public let httpVersion: String
    /// Whether the connection was mutual TLS (verified against the CA and the pin).
    public let tls: Bool
    /// What the peer lets this node do there.
    public let theirGrants: PeerGrants
    /// What this node lets the peer do here.
    public var ourGrants: PeerGrants { peer.grants }
}

extension Node {
    /// Reaches `peer` and checks it matches its configuration; nothing is applied.
    /// - Throws: the first mismatch or failure, naming the peer's side of it.
    public func check(_ peer: PeerEntry) throws -> PeerCheck {
        let client = try PeerClient(clientOptions(for: peer))
        let health = try client.request("GET", PeerAPI.health)
        _ = try PeerSync.answer(health, from: peer.name)
        let status = try PeerSync.answer(try client.request("GET", PeerAPI.status), from: peer.name)
        guard let node = status[PeerAPI.Key.node]?.stringValue, node == peer.name else {
            throw SyncError("the server there is node \(status[PeerAPI.Key.node]?.stringValue ?? "?"), not \(peer.name)")
        }
        // A one-record batch, its signature checked, nothing applied.
        let answer = try client.request("GET", PeerAPI.changesRequest(since: nil, limit: 1, batches: 1))
        if answer.status != 200 { _ = try PeerSync.answer(answer, from: peer.name) }
        _ = try BatchReader(catalog: catalog).read(answer.body, from: peer.name, key: peer.signingKey)
        return PeerCheck(peer: peer, httpVersion: health.httpVersion, tls: peer.url.hasPrefix("https://"),
                         theirGrants: PeerGrants(json: status[PeerAPI.Key.yourGrants] ?? [:]))
    }
}
