import Crypto
import Standard

/// SHA-256 of a body in canonical JSON, lower-case hex (the envelope's `hash`).
public enum ContentHash {
    public static func of(_ body: JSONValue) -> String {
        hex(SHA256.hash(data: CanonicalJSON.bytes(body)))
    }

    /// The hash together with the canonical text it was computed from, which
    /// callers keep as the body's stored text instead of serialising again.
    public static func withText(_ body: JSONValue) -> (hash: String, text: String) {
        let bytes = CanonicalJSON.bytes(body)
        return (hex(SHA256.hash(data: bytes)), String(decoding: bytes, as: UTF8.self))
    }

    /// The hash of text taken to be a body's canonical form already (a body
    /// as received); equal to the stated hash only if it is.
    public static func of(canonicalText bytes: UnsafeBufferPointer<UInt8>) -> String {
        hex(SHA256.hash(data: UnsafeRawBufferPointer(bytes)))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let chars = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest { out.append(chars[Int(b >> 4)]); out.append(chars[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
