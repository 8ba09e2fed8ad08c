import Crypto
import Replication
import Standard

/// Writes a signed batch: the header line (with the signature) and one
/// envelope per line. The signature covers the header without it, in canonical
/// JSON, and every byte of the record lines after it (through their digest,
/// `BatchSignature`).
public enum BatchWriter {
    public static func encode(header: BatchHeader, envelopes: [Envelope], key: NodeKey) throws -> [UInt8] {
        var records: [UInt8] = []
        records.reserveCapacity(envelopes.count * 1_800)
        for e in envelopes {
            records.append(contentsOf: e.line.utf8)
            records.append(0x0A)
        }
        var h = header.json
        h["signature"] = .string(try key.sign(BatchSignature.message(header: header.json, records: records)))
        var out = Array(JSONWriter.string(.object(h)).utf8)
        out.append(0x0A)
        out.append(contentsOf: records)
        return out
    }
}

/// What the Ed25519 signature signs: the SHA-256 of the canonical header, a
/// newline and the record lines. Signing the digest rather than the batch
/// itself hashes a batch once (with the CPU's SHA instructions) instead of
/// twice with SHA-512 inside Ed25519.
enum BatchSignature {
    static func message<C: Collection>(header: JSONObject, records: C) -> [UInt8] where C.Element == UInt8 {
        var h = SHA256()
        h.update(data: Array(JSONWriter.string(.object(header), style: .canonical).utf8) + [0x0A])
        if let contiguous = records.withContiguousStorageIfAvailable({ h.update(bufferPointer: UnsafeRawBufferPointer($0)) }) {
            _ = contiguous
        } else {
            h.update(data: Array(records))
        }
        return Array(h.finalize())
    }
}
