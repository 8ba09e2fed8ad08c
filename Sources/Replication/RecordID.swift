import Crypto
import Foundation
import Standard
import JSON

/// Deterministic record ids (docs/architecture.md, "Record model"): UUIDv5 of the type and
/// the values of its natural key, so the same real-world record captured twice,
/// or by two nodes, gets the same id.
public enum RecordID {
    /// UUIDv5(URL namespace, the standard's base URI): the namespace of all record ids.
    public static let namespace: UUID = v5(namespace: UUID(uuidString: "6ba7b811-9dad-11d1-80b4-00c04fd430c8")!,
                                           name: StandardCatalog.baseURI)

    /// The id of a body of `type`, from its natural key.
    /// - Throws: `EnvelopeError.missingNaturalKey` naming the field that is absent.
    public static func derive(type: RecordType, body: JSONValue) throws(EnvelopeError) -> UUID {
        var name = type.name
        for (pointer, tokens) in zip(type.naturalKey, type.naturalKeyTokens) {
            guard let tokens, let v = JSONPointer.resolve(tokens, in: body) else {
                throw .missingNaturalKey(type: type.name, field: pointer)
            }
            name += "\n" + (v.stringValue ?? CanonicalJSON.string(v))
        }
        return v5(namespace: namespace, name: name)
    }

    /// The id as records carry it: lower-case, written straight into the
    /// string (Foundation's `uuidString` formats with printf, in upper case
    /// to be lowered after, which cost more than deriving the id).
    public static func text(_ id: UUID) -> String {
        withUnsafeBytes(of: id.uuid) { b in
            String(unsafeUninitializedCapacity: 36) { out in
                var o = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[o] = UInt8(ascii: "-"); o += 1 }
                    ContentHash.writeHex(b[i], into: out, at: o)
                    o += 2
                }
                return o
            }
        }
    }

    /// RFC 9562 §5.5: SHA-1 of namespace bytes and name, version 5, variant 10.
    public static func v5(namespace: UUID, name: String) -> UUID {
        var data = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        data.append(contentsOf: name.utf8)
        var b = Array(Insecure.SHA1.hash(data: data).prefix(16))
        b[6] = (b[6] & 0x0F) | 0x50
        b[8] = (b[8] & 0x3F) | 0x80
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
