/// Formats that are about the shape of a text: uuid, json-pointer, regex.
enum TextFormats {
    static let uuid: FormatCheck = { s in
        let u = Array(s.utf8)
        guard u.count == 36 else { return .invalid("is not a UUID: it must be 36 characters like 123e4567-e89b-12d3-a456-426614174000") }
        for (i, b) in u.enumerated() {
            let dash = i == 8 || i == 13 || i == 18 || i == 23
            if dash ? b != UInt8(ascii: "-") : !Formats.isHex(b) {
                return .invalid("is not a UUID: character \(i + 1) should be \(dash ? "'-'" : "a hex digit")")
            }
        }
        return .valid
    }

    static let jsonPointer: FormatCheck = { s in
        let u = Array(s.utf8)
        if u.isEmpty { return .valid }
        guard u[0] == UInt8(ascii: "/") else { return .invalid("is not a JSON Pointer: it must be empty or start with '/'") }
        for (i, b) in u.enumerated() where b == UInt8(ascii: "~") {
            guard i + 1 < u.count, u[i + 1] == UInt8(ascii: "0") || u[i + 1] == UInt8(ascii: "1") else {
                return .invalid("is not a JSON Pointer: '~' must be followed by 0 or 1")
            }
        }
        return .valid
    }

    static let regex: FormatCheck = { s in
        ECMARegex.isValid(s) ? .valid : .invalid("is not a valid regular expression")
    }
}
