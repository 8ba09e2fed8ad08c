/// Host names (RFC 1123), IP addresses (RFC 2673, RFC 4291) and e-mail addresses (RFC 5321).
enum NetworkFormats {
    static func isIPv4(_ u: ArraySlice<UInt8>) -> Bool {
        let parts = u.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for p in parts {
            guard (1...3).contains(p.count), p.allSatisfy(Formats.isDigit) else { return false }
            if p.count > 1 && p.first == UInt8(ascii: "0") { return false }
            guard Int(String(decoding: p, as: UTF8.self))! <= 255 else { return false }
        }
        return true
    }

    static func isIPv6(_ text: ArraySlice<UInt8>) -> Bool {
        var u = text
        guard !u.isEmpty else { return false }
        // An embedded IPv4 address may end the text and counts as two groups.
        var groupsNeeded = 8
        if let lastColon = u.lastIndex(of: UInt8(ascii: ":")), u[(lastColon + 1)...].contains(UInt8(ascii: ".")) {
            guard isIPv4(u[(lastColon + 1)...]) else { return false }
            groupsNeeded = 6
            u = u[...lastColon]
            if u.count >= 2, u[u.index(u.endIndex, offsetBy: -2)] == UInt8(ascii: ":") {
                // "::1.2.3.4" keeps both colons; otherwise drop the separator colon.
            } else {
                u = u.dropLast()
            }
        }
        let text = Array(u)
        let s = String(decoding: text, as: UTF8.self)
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ part: String) -> [Substring]? {
            if part.isEmpty { return [] }
            let g = part.split(separator: ":", omittingEmptySubsequences: false)
            for x in g {
                guard (1...4).contains(x.count), x.utf8.allSatisfy(Formats.isHex) else { return nil }
            }
            return g
        }
        if halves.count == 2 {
            guard let a = groups(halves[0]), let b = groups(halves[1]) else { return false }
            return a.count + b.count < groupsNeeded
        }
        guard let g = groups(halves[0]) else { return false }
        return g.count == groupsNeeded
    }

    static let ipv4: FormatCheck = { s in
        isIPv4(Array(s.utf8)[...]) ? .valid : .invalid("is not an IPv4 address (four numbers 0–255 without leading zeros, e.g. 192.168.0.1)")
    }

    static let ipv6: FormatCheck = { s in
        isIPv6(Array(s.utf8)[...]) ? .valid : .invalid("is not a valid IPv6 address")
    }

    static func isHostname(_ u: ArraySlice<UInt8>) -> Bool {
        guard !u.isEmpty, u.count <= 253, u.last != UInt8(ascii: ".") else { return false }
        for label in u.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return false }
            guard label.allSatisfy({ Formats.isAlpha($0) || Formats.isDigit($0) || $0 == UInt8(ascii: "-") }) else { return false }
            // "xn--" is reserved for IDNA; two hyphens at positions 3–4 mean nothing else.
            if label.count >= 4, label[label.startIndex + 2] == UInt8(ascii: "-"), label[label.startIndex + 3] == UInt8(ascii: "-") {
                // "xn--" marks an IDNA A-label, which must decode to a valid U-label;
                // any other two hyphens at positions 3–4 are reserved.
                guard label.prefix(2).map({ $0 | 0x20 }) == Array("xn".utf8),
                      let decoded = Punycode.decode(Array(label.dropFirst(4))), IDNA.isValidULabel(decoded)
                else { return false }
            }
        }
        return true
    }

    static let hostname: FormatCheck = { s in
        isHostname(Array(s.utf8)[...]) ? .valid : .invalid("is not a valid host name (letters, digits and '-', labels of at most 63 characters)")
    }

    static let email: FormatCheck = { s in
        let bad = FormatVerdict.invalid("is not a valid e-mail address")
        let u = Array(s.utf8)
        guard let at = u.lastIndex(of: UInt8(ascii: "@")), at > 0, at < u.count - 1 else { return bad }
        let local = u[..<at], domain = u[(at + 1)...]
        if local.first == UInt8(ascii: "\"") {
            guard local.count >= 2, local.last == UInt8(ascii: "\"") else { return bad }
            var escaped = false
            for b in local.dropFirst().dropLast() {
                if escaped { escaped = false; continue }
                if b == UInt8(ascii: "\\") { escaped = true; continue }
                if b == UInt8(ascii: "\"") || b < 0x20 || b > 0x7E { return bad }
            }
            if escaped { return bad }
        } else {
            let atext = Set("!#$%&'*+-/=?^_`{|}~".utf8)
            guard local.first != UInt8(ascii: "."), local.last != UInt8(ascii: ".") else { return bad }
            var prevDot = false
            for b in local {
                if b == UInt8(ascii: ".") {
                    if prevDot { return bad }
                    prevDot = true
                    continue
                }
                prevDot = false
                guard Formats.isAlpha(b) || Formats.isDigit(b) || atext.contains(b) else { return bad }
            }
        }
        if domain.first == UInt8(ascii: "[") {
            guard domain.last == UInt8(ascii: "]") else { return bad }
            let inner = domain.dropFirst().dropLast()
            let v6 = Array("IPv6:".utf8)
            if inner.starts(with: v6) { return isIPv6(inner.dropFirst(v6.count)) ? .valid : bad }
            return isIPv4(inner) ? .valid : bad
        }
        return isHostname(domain) ? .valid : bad
    }
}
