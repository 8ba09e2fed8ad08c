/// RFC 3986 URIs and URI references.
enum URIFormats {
    private static let unreserved = Set("-._~".utf8)
    private static let subDelims = Set("!$&'()*+,;=".utf8)

    private static func isPChar(_ b: UInt8) -> Bool {
        Formats.isAlpha(b) || Formats.isDigit(b) || unreserved.contains(b) || subDelims.contains(b)
            || b == UInt8(ascii: ":") || b == UInt8(ascii: "@")
    }

    /// Every character is allowed in its part, and every '%' starts an escape.
    private static func valid(_ u: ArraySlice<UInt8>, extra: Set<UInt8>) -> Bool {
        var i = u.startIndex
        while i < u.endIndex {
            let b = u[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < u.endIndex, Formats.isHex(u[i + 1]), Formats.isHex(u[i + 2]) else { return false }
                i += 3
                continue
            }
            guard isPChar(b) || extra.contains(b) else { return false }
            i += 1
        }
        return true
    }

    private static func validAuthority(_ a: ArraySlice<UInt8>) -> Bool {
        var host = a
        if let at = a.lastIndex(of: UInt8(ascii: "@")) {
            guard valid(a[..<at], extra: []), !a[..<at].contains(UInt8(ascii: "@")) else { return false }
            host = a[(at + 1)...]
        }
        if host.first == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = host[(host.startIndex + 1)..<close]
            let port = host[(close + 1)...]
            if !port.isEmpty {
                guard port.first == UInt8(ascii: ":"), port.dropFirst().allSatisfy(Formats.isDigit) else { return false }
            }
            if literal.first == UInt8(ascii: "v") || literal.first == UInt8(ascii: "V") { return true }
            return NetworkFormats.isIPv6(literal)
        }
        if let colon = host.lastIndex(of: UInt8(ascii: ":")) {
            guard host[(colon + 1)...].allSatisfy(Formats.isDigit) else { return false }
            host = host[..<colon]
        }
        return valid(host, extra: []) && !host.contains(UInt8(ascii: ":")) && !host.contains(UInt8(ascii: "@"))
    }

    static func check(_ s: String, requireScheme: Bool) -> Bool {
        var u = Array(s.utf8)[...]
        if let hash = u.firstIndex(of: UInt8(ascii: "#")) {
            guard valid(u[(hash + 1)...], extra: [UInt8(ascii: "/"), UInt8(ascii: "?")]) else { return false }
            u = u[..<hash]
        }
        if let q = u.firstIndex(of: UInt8(ascii: "?")) {
            guard valid(u[(q + 1)...], extra: [UInt8(ascii: "/"), UInt8(ascii: "?")]) else { return false }
            u = u[..<q]
        }
        var hasScheme = false
        if let colon = u.firstIndex(of: UInt8(ascii: ":")),
           !u[..<colon].contains(UInt8(ascii: "/")), colon > u.startIndex {
            let scheme = u[..<colon]
            guard Formats.isAlpha(scheme.first!),
                  scheme.allSatisfy({ Formats.isAlpha($0) || Formats.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
            else { return false }
            hasScheme = true
            u = u[(colon + 1)...]
        }
        if requireScheme && !hasScheme { return false }
        if u.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) {
            let rest = u.dropFirst(2)
            let end = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            guard validAuthority(rest[..<end]) else { return false }
            u = rest[end...]
        } else if !hasScheme, let firstSlash = u.firstIndex(of: UInt8(ascii: "/")) ?? Optional(u.endIndex),
                  u[..<firstSlash].contains(UInt8(ascii: ":")) {
            return false  // a relative path's first segment may not contain ':'
        }
        return valid(u, extra: [UInt8(ascii: "/")])
    }

    static let uri: FormatCheck = { s in
        check(s, requireScheme: true) ? .valid : .invalid("is not a valid absolute URI (e.g. https://example.org/path)")
    }

    static let uriReference: FormatCheck = { s in
        check(s, requireScheme: false) ? .valid : .invalid("is not a valid URI reference")
    }
}
