import Foundation
import Standard
import Store
import Transport

extension Node {
    /// How this node reaches `peer`: the node's TLS material and the peer's pin.
    public func clientOptions(for peer: PeerEntry) -> PeerClient.Options {
        var o = PeerClient.Options(baseURL: peer.url.hasSuffix("/") ? String(peer.url.dropLast()) : peer.url)
        o.totalTimeout = configuration.sync.timeoutSeconds
        o.stallSeconds = configuration.sync.stallSeconds
        // The connection and TLS handshake stall no longer than a transfer may.
        o.connectTimeout = min(o.connectTimeout, configuration.sync.stallSeconds)
        if let tls = configuration.tls, peer.url.hasPrefix("https://") {
            o.certificate = tls.certificate
            o.key = tls.key
            o.ca = tls.ca
            o.pin = peer.pin
        }
        return o
    }

    /// Adds a peer to the configuration file and the audit log, after checking
    /// the file still reads with it. `grants` name types of the standard.
    public func addPeer(name: String, url: String, pin: String?, signingKey: String, grants: PeerGrants) throws(NodeError) {
        let config = configuration
        guard NodeID.isValid(name) else { throw NodeError("peer \"\(name)\": \(NodeID.rule)") }
        guard name != config.nodeID else { throw NodeError("\(name) is this node") }
        guard config.peer(named: name) == nil else {
            throw NodeError("\(name) is already a peer; edit its [[peers]] table in \(config.file.path)")
        }
        do { _ = try PeerKey(base64: signingKey) } catch { throw NodeError("the signing key: \(error)") }
        guard ["https://", "http://", "file://"].contains(where: { url.hasPrefix($0) }) else {
            throw NodeError("--url \(url): give https://HOST:PORT, or file:///FOLDER for a peer reached by bundle files only (`hutong bundle`)")
        }
        if url.hasPrefix("https://") && pin == nil {
            throw NodeError("an https peer needs a pin (or its certificate): a peer is identified by its pinned TLS key")
        }
        for t in grants.pull.union(grants.push) where catalog.recordTypes[t] == nil {
            throw NodeError("unknown record type \"\(t)\"; use \(StandardCatalog.recordTypeNames.joined(separator: ", "))")
        }
        do { try NodeConfiguration.appendPeer(name: name, url: url, pin: pin, signingKey: signingKey, grants: grants, to: config.file) } catch {
            throw NodeError("\(error)")
        }
        do {
            try store.audit(kind: AuditKind.configuration, detail: "peer \(name) added: url \(url), pull \(grants.pull.sorted()), push \(grants.push.sorted()), regions \(grants.regions), personal \(grants.personal)")
        } catch {
            throw NodeError("peer \(name) was added to \(config.file.path), but the audit log could not record it: \(error)")
        }
    }
}
