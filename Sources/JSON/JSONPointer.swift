import Foundation

/// RFC 6901 JSON Pointers: where in a record (instance location) or in a schema
/// (keyword location) something is.
public enum JSONPointer {
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    public static func unescape(_ token: Substring) -> String {
        // A byte search: `contains("~")` would be Foundation's substring search, a tenth of compiling the standard.
        guard token.utf8.contains(UInt8(ascii: "~")) else { return String(token) }
        return String(token).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    /// Splits "/a/b~1c" into ["a", "b/c"]; nil when the text is not a pointer.
    public static func tokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { unescape($0) }
    }

    public static func string(_ tokens: [String]) -> String {
        tokens.map { "/" + escape($0) }.joined()
    }

    /// Follows the pointer tokens through a value.
    public static func resolve(_ tokens: [String], in value: JSONValue) -> JSONValue? {
        var cur = value
        for t in tokens {
            switch cur {
            case .object(let o):
                guard let v = o[t] else { return nil }
                cur = v
            case .array(let a):
                guard let i = Int(t), i >= 0, i < a.count, t == String(i) else { return nil }
                cur = a[i]
            default: return nil
            }
        }
        return cur
    }
}

