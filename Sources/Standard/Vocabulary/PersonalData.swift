import JSON

/// Masking of personal information (个人信息保护法): names and ID numbers of
/// natural persons never appear whole in messages or logs, and peers without
/// the grant receive masked values.
public enum PersonalData {
    /// `110105194912310021` → `110105********0021`; `张三丰` → `张**`.
    public static func mask(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        if scalars.count >= 10 && scalars.allSatisfy({ $0.isASCII }) {
            return String(String.UnicodeScalarView(scalars.prefix(6))) + String(repeating: "*", count: scalars.count - 10)
                + String(String.UnicodeScalarView(scalars.suffix(4)))
        }
        guard let first = scalars.first else { return value }
        return String(Character(first)) + String(repeating: "*", count: max(1, scalars.count - 1))
    }
}

extension PersonalData {
    /// `body` with the values of `fields` masked (a party's name only when
    /// the party is a natural person), and the JSON Pointers masked.
    public static func mask(body: JSONValue, fields: [PersonalField]) -> (body: JSONValue, masked: [String]) {
        var body = body
        var masked: [String] = []
        for f in fields {
            let parts = f.pointer.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            mask(&body, parts[...], path: "", naturalPersonOnly: f.onlyForNaturalPerson, into: &masked)
        }
        return (body, masked)
    }

    private static func mask(_ value: inout JSONValue, _ parts: ArraySlice<String>, path: String, naturalPersonOnly: Bool, into masked: inout [String]) {
        guard let head = parts.first else {
            // An empty value has nothing to mask, and a listed pointer must hold masked text.
            if case .string(let s) = value, case let m = mask(s), m != s { value = .string(m); masked.append(path) }
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
