/// The outcome of checking a string against a `format`. Reasons are phrased to
/// follow the field's name: "统一社会信用代码 check character is 7, expected T".
public enum FormatVerdict: Sendable, Equatable {
    case valid
    case invalid(String)
    /// Suspicious but possibly genuine; not an error unless the run is strict.
    case warning(String)
}

public typealias FormatCheck = @Sendable (String) -> FormatVerdict

/// The format checkers of draft 2020-12 that the validator asserts; a
/// standard adds its own (the Chinese identifiers) beside them.
public enum Formats {
    public static let all: [String: FormatCheck] = [
        "date": DateFormats.date,
        "time": DateFormats.time,
        "date-time": DateFormats.dateTime,
        "duration": DateFormats.duration,
        "email": NetworkFormats.email,
        "hostname": NetworkFormats.hostname,
        "ipv4": NetworkFormats.ipv4,
        "ipv6": NetworkFormats.ipv6,
        "uri": URIFormats.uri,
        "uri-reference": URIFormats.uriReference,
        "uuid": TextFormats.uuid,
        "json-pointer": TextFormats.jsonPointer,
        "regex": TextFormats.regex,
    ]

    @inlinable public static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inlinable static func isHex(_ b: UInt8) -> Bool {
        isDigit(b) || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "f"))
    }
    /// Runs `body` on the UTF-8 bytes of `s` without copying them for native strings.
    @inlinable public static func bytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var s = s
        return s.withUTF8(body)
    }

    @inlinable static func isAlpha(_ b: UInt8) -> Bool { b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z") }

    /// Value of `count` ASCII digits starting at `i`, or nil.
    public static func digits(_ u: UnsafeBufferPointer<UInt8>, _ i: Int, _ count: Int) -> Int? {
        guard i + count <= u.count else { return nil }
        var v = 0
        for k in i..<i + count {
            guard isDigit(u[k]) else { return nil }
            v = v * 10 + Int(u[k] - 0x30)
        }
        return v
    }
}
