import Replication
import Standard

/// Writes a signed batch: the header line (with the signature) and one
/// envelope per line. The signature covers the header without it, in canonical
/// JSON, and every byte of the record lines after it (`BatchSignature`).
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

enum BatchSignature {
    static func message<C: Collection>(header: JSONObject, records: C) -> [UInt8] where C.Element == UInt8 {
        var m = Array(JSONWriter.string(.object(header), style: .canonical).utf8)
        m.append(0x0A)
        m.append(contentsOf: records)
        return m
    }
}
