import Replication
import JSON

/// A record as every backend stores it: one row, its version vector,
/// conflicts and masked pointers as JSON text, the body as its canonical
/// text. Read back here once for all of them, so that a damaged row is
/// reported the same way whatever the store.
enum StoredRecord {
    /// The row's columns as an envelope. `parseBody` false leaves the body
    /// unparsed: `.null`, with the stored text in `bodyText`.
    static func envelope(id: String, type: String, owner: String, vv: String, hlc: String, writer: String, deleted: Bool,
                         hash: String, conflicts: String?, masked: String?, body bodyText: String, parseBody: Bool) throws -> Envelope {
        func parse(_ text: String, _ name: String) throws -> JSONValue {
            do { return try JSONParser.parse(text) } catch {
                throw StoreError.corrupt("record \(id): column \(name) is not JSON (\(error))")
            }
        }
        guard let clock = HLCTimestamp(hlc) else { throw StoreError.corrupt("record \(id): bad hlc") }
        var refs: [VersionRef] = []
        if let conflicts {
            // Stored in the envelope's own form; reuse its reader.
            let env = try Envelope(json: ["id": "x", "type": "x", "owner": "x", "vv": ["x": 1], "hlc": "0000000000000.0",
                                          "writer": "x", "deleted": false, "hash": "x", "body": [:], "conflicts": try parse(conflicts, "conflicts")])
            refs = env.conflicts
        }
        let body = parseBody ? try parse(bodyText, "body") : .null
        return Envelope(id: id, type: type, owner: owner, vv: try VersionVector(json: try parse(vv, "vv")), hlc: clock,
                        writer: writer, deleted: deleted, hash: hash, body: body, bodyText: bodyText, conflicts: refs,
                        masked: try masked.map { try parse($0, "masked") }?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// The envelope's conflicts column: its losing versions as JSON, nil when none.
    static func conflictsText(_ e: Envelope) -> String? {
        e.conflicts.isEmpty ? nil : JSONWriter.string(e.json["conflicts"]!)
    }

    /// The envelope's masked column: the pointers left out for this node, nil when none.
    static func maskedText(_ e: Envelope) -> String? {
        e.masked.isEmpty ? nil : JSONWriter.string(.array(e.masked.map { .string($0) }))
    }
}

/// Text from outside (a peer's line that is not JSON, a row's value in a
/// reason) as a store can keep it: a NUL character is written `\u0000`.
/// PostgreSQL's text cannot hold it, and SQLite's text read back ends there,
/// so kept as it is, the line would wedge a PostgreSQL store's every pull
/// from that peer, or lose the rest of the line in SQLite.
enum StoredText {
    static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\\u0000") : text
    }
}
