import Replication
import Standard
import JSON

/// Masks the personal fields of a record for a peer without the personal
/// grant. The envelope keeps its hash (it is the same version) and lists the
/// masked pointers, so the receiver knows, and says, that it holds a masked copy.
public enum Masking {
    public static func mask(_ e: Envelope, fields: [PersonalField]) -> Envelope {
        guard !e.deleted, !fields.isEmpty else { return e }
        var body = e.body
        var masked: [String] = []
        for f in fields {
            let parts = f.pointer.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            mask(&body, parts[...], path: "", naturalPersonOnly: f.onlyForNaturalPerson, into: &masked)
        }
        guard !masked.isEmpty else { return e }
        var out = e
        out.body = body
        out.masked = Array(Set(masked + e.masked)).sorted()
        return out
    }

    private static func mask(_ value: inout JSONValue, _ parts: ArraySlice<String>, path: String, naturalPersonOnly: Bool, into masked: inout [String]) {
        guard let head = parts.first else {
            // An empty value has nothing to mask, and a listed pointer must hold masked text.
            if case .string(let s) = value, case let m = PersonalData.mask(s), m != s { value = .string(m); masked.append(path) }
            return
        }
        switch value {
        case .array(var items) where head == "*":
            for i in items.indices { mask(&items[i], parts.dropFirst(), path: path + "/\(i)", naturalPersonOnly: naturalPersonOnly, into: &masked) }
            value = .array(items)
        case .object(var o):
            guard var child = o[head] else { return }
            // A party's name is personal only when the party is a natural person.
            if naturalPersonOnly && parts.count == 1, o["kind"]?.stringValue != "自然人" { return }
            mask(&child, parts.dropFirst(), path: path + "/" + head, naturalPersonOnly: naturalPersonOnly, into: &masked)
            o[head] = child
            value = .object(o)
        default:
            return
        }
    }
}
