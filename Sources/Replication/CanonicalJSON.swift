import Standard
import JSON

/// RFC 8785 JSON Canonicalization Scheme: members sorted by UTF-16 code units,
/// no insignificant white space, minimal string escapes, ECMAScript number form
/// (JSONWriter's canonical style). The content hash of a record body is SHA-256
/// over these bytes, so every node computes the same hash for the same body.
///
/// Integers are written exactly (RFC 8785 reads all numbers as doubles; the
/// standard keeps integers below 2^53, where the two agree).
public enum CanonicalJSON {
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        JSONWriter.write(value, into: &out, style: .canonical)
        return out
    }

    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }
}
