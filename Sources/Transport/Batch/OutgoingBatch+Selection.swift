import Replication
import Standard

extension OutgoingBatch.Selection {
    /// What a peer gets of this node's versions: one rule for the pulls it
    /// makes and the pushes it receives. The record types and regions `grant`
    /// (this node's grant to the peer) lets it pull, and for a push also what
    /// the peer `accepts` from us; personal fields masked unless `grant`
    /// gives personal information, and the copy says what was masked.
    public static func sending(to grant: PeerGrants, accepts: PeerGrants? = nil, catalog: StandardCatalog) -> Self {
        let types = accepts.map { grant.pull.intersection($0.push) } ?? grant.pull
        let readsBodies = grant.readsBodies(pulling: true) || !(accepts?.regions.isEmpty ?? true)
        guard readsBodies else { return .asStored { types.contains($0) } }
        return .filtered { v in
            guard grant.allows(types, type: v.type, body: v.body) else { return nil }
            if let accepts, !accepts.allows(types, type: v.type, body: v.body) { return nil }
            return grant.personal ? v : Masking.mask(v, fields: catalog.recordTypes[v.type]?.personalFields ?? [])
        }
    }
}
