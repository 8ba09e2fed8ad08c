import Crypto
import Standard
import JSON

/// SHA-256 of a body in canonical JSON, lower-case hex (the envelope's `hash`).
public enum ContentHash {
    public static func of(_ body: JSONValue) -> String {
        hex(SHA256.hash(data: CanonicalJSON.bytes(body)))
    }

    /// The hash together with the canonical text it was computed from, which
    /// callers keep as the body's stored text instead of serialising again.
    public static func withText(_ body: JSONValue) -> (hash: String, text: String) {
        let (hash, bytes) = withCanonicalBytes(body)
        return (hash, String(decoding: bytes, as: UTF8.self))
    }

    /// As `withText`, the text kept as its bytes: a store writes them as they
    /// are, and making a string of them would check the UTF-8 once more.
    public static func withCanonicalBytes(_ body: JSONValue) -> (hash: String, canonical: [UInt8]) {
        let bytes = CanonicalJSON.bytes(body)
        return (hex(SHA256.hash(data: bytes)), bytes)
    }

    /// The hash of text taken to be a body's canonical form already (a body
    /// as received); equal to the stated hash only if it is.
    public static func of(canonicalText bytes: UnsafeBufferPointer<UInt8>) -> String {
        hex(SHA256.hash(data: UnsafeRawBufferPointer(bytes)))
    }

    /// Lower-case hex, written straight into the string's storage: every
    /// record received is hashed, and building it byte by byte in an array
    /// first would cost about as much as the hashing.
    public static func hex(_ digest: SHA256Digest) -> String {
        digest.withUnsafeBytes { d in
            String(unsafeUninitializedCapacity: d.count * 2) { out in
                for (i, b) in d.enumerated() { writeHex(b, into: out, at: 2 * i) }
                return d.count * 2
            }
        }
    }

    /// Writes `byte` as two lower-case hex digits at `at` and `at + 1`.
    @inline(__always)
    static func writeHex(_ byte: UInt8, into out: UnsafeMutableBufferPointer<UInt8>, at: Int) {
        let chars: StaticString = "0123456789abcdef"
        out[at] = chars.utf8Start[Int(byte >> 4)]
        out[at + 1] = chars.utf8Start[Int(byte & 0xF)]
    }
}
