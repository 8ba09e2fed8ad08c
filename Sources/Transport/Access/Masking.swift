import Replication
import Standard
import JSON

/// Masks the personal fields of a record for a peer without the personal
/// grant. The envelope keeps its hash (it is the same version) and lists the
/// masked pointers, so the receiver knows, and says, that it holds a masked copy.
public enum Masking {
    public static func mask(_ e: Envelope, fields: [PersonalField]) -> Envelope {
        guard !e.deleted, !fields.isEmpty else { return e }
        let (body, masked) = PersonalData.mask(body: e.body, fields: fields)
        guard !masked.isEmpty else { return e }
        var out = e
        out.body = body
        out.masked = Array(Set(masked + e.masked)).sorted()
        return out
    }
}
