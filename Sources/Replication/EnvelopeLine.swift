/// The layout of an envelope's line (NDJSON): its members in envelope order.
/// One place for it, shared by `Envelope.writeLine` and a store that writes
/// lines straight from stored rows, so both send the same bytes.
public enum EnvelopeLine {
    /// The members whose values the caller writes; `deleted` is written here.
    public enum Part {
        case id, type, owner, vv, hlc, writer, hash, conflicts, masked, body
    }

    /// Appends one line (without its newline): names and punctuation here,
    /// each value, as JSON, by `value`. `conflicts` and `masked` say whether
    /// those optional members are present.
    @inline(__always)
    public static func write(into out: inout [UInt8], deleted: Bool, conflicts: Bool, masked: Bool,
                             _ value: (Part, inout [UInt8]) -> Void) {
        func member(_ name: StaticString, _ part: Part?, first: Bool = false) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
            if let part { value(part, &out) }
        }
        member("id", .id, first: true)
        member("type", .type)
        member("owner", .owner)
        member("vv", .vv)
        member("hlc", .hlc)
        member("writer", .writer)
        member("deleted", nil)
        out.append(contentsOf: (deleted ? "true" : "false").utf8)
        member("hash", .hash)
        if conflicts { member("conflicts", .conflicts) }
        if masked { member("masked", .masked) }
        member("body", .body)
        out.append(UInt8(ascii: "}"))
    }
}
