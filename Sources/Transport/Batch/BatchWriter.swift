import Crypto
import Replication
import Standard
import JSON

/// Writes a batch a line at a time, so it can be streamed: the header line,
/// one envelope per line, and the end line carrying the count, the sequence
/// reached and the Ed25519 signature. The signature is over the SHA-256 of the
/// canonical header line, every record line's bytes and the canonical end line
/// without its signature — every byte that matters, hashed as it goes out.
public final class BatchWriter {
    public let header: BatchHeader
    private let key: NodeKey?
    private var digest = SHA256()
    public private(set) var count = 0

    /// `key` nil: an unsigned batch (an export file for `hutong import`, which no peer accepts).
    public init(header: BatchHeader, key: NodeKey?) {
        self.header = header; self.key = key
        digest.update(data: BatchDigest.canonicalLine(header.json))
    }

    public var headerLine: [UInt8] { Array(JSONWriter.string(.object(header.json)).utf8) + [0x0A] }

    /// Appends the envelope's line to `out`.
    public func append(_ e: Envelope, to out: inout [UInt8]) {
        let start = out.count
        e.writeLine(into: &out)
        out.append(0x0A)
        appended(out, from: start, count: 1)
    }

    /// Counts and signs `count` record lines already written to `out` from `start`.
    public func appended(_ out: [UInt8], from start: Int, count: Int) {
        out.withUnsafeBytes { digest.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[start...])) }
        self.count += count
    }

    /// The end line, signed when the writer has a key.
    public func end(seqTo: Int64, partial: Bool = false) throws -> [UInt8] {
        let end = BatchEnd(count: count, seqTo: seqTo, partial: partial)
        var line = end.json
        digest.update(data: BatchDigest.canonicalLine(line))
        if let key { line["signature"] = .string(try key.sign(Array(digest.finalize()))) }
        return Array(JSONWriter.string(.object(line)).utf8) + [0x0A]
    }

    /// A whole batch at once.
    public static func encode(header: BatchHeader, envelopes: [Envelope], seqTo: Int64, partial: Bool = false, key: NodeKey?) throws -> [UInt8] {
        let w = BatchWriter(header: header, key: key)
        var out = w.headerLine
        for e in envelopes { w.append(e, to: &out) }
        return out + (try w.end(seqTo: seqTo, partial: partial))
    }
}

enum BatchDigest {
    /// Header and end lines are signed in canonical form, so how they are spaced does not matter.
    static func canonicalLine(_ o: JSONObject) -> [UInt8] {
        Array(JSONWriter.string(.object(o), style: .canonical).utf8) + [0x0A]
    }
}
