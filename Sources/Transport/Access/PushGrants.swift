import Standard
import JSON

/// What a push to one peer may carry: this node's grant to the peer (what it
/// may pull from us) and what the peer accepts from us. A push cursor
/// remembers both, so that widening either sends what was left out before.
struct PushGrants {
    let grant: PeerGrants
    let accepts: PeerGrants

    init(grant: PeerGrants, accepts: PeerGrants) {
        self.grant = grant; self.accepts = accepts
    }

    /// As saved with the push cursor.
    var text: String { JSONWriter.string(["grant": grant.json, "accepts": accepts.json], style: .canonical) }

    /// Reads a push cursor's saved grants. A cursor saved with what the peer
    /// accepts alone is taken as having moved under `grant`, today's own.
    init?(text: String, grant: PeerGrants) {
        guard let v = try? JSONParser.parse(text), v.objectValue != nil else { return nil }
        if let g = v["grant"], let a = v["accepts"] {
            self.init(grant: PeerGrants(json: g), accepts: PeerGrants(json: a))
        } else {
            self.init(grant: grant, accepts: PeerGrants(json: v))
        }
    }

    /// Whether this lets through something `old` did not; false without `old`.
    func widens(_ old: PushGrants?) -> Bool {
        guard let old else { return false }
        return accepts.widens(old.accepts, pulling: false) || grant.widens(old.grant, pulling: true)
    }
}
