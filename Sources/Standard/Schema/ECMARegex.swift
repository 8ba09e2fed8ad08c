import Foundation

/// A `pattern` / `patternProperties` regular expression. JSON Schema patterns are
/// ECMA-262; Foundation's engine is ICU, so the few places where they differ are
/// translated: `\d` and `\w` are ASCII-only in ECMA-262, and `$` means end of input.
final class ECMARegex: @unchecked Sendable {
    let source: String
    private let regex: NSRegularExpression

    init(_ pattern: String) throws {
        source = pattern
        do {
            regex = try NSRegularExpression(pattern: Self.translate(pattern), options: [])
        } catch {
            throw SchemaError.invalidSchema("pattern \"\(pattern)\" is not a valid regular expression", at: "pattern")
        }
    }

    /// Whether the pattern matches anywhere in `s` (patterns are not anchored).
    func matches(_ s: String) -> Bool {
        let ns = s as NSString
        return regex.firstMatch(in: s, options: [], range: NSRange(location: 0, length: ns.length)) != nil
    }

    static func isValid(_ pattern: String) -> Bool {
        (try? ECMARegex(pattern)) != nil
    }

    static func translate(_ p: String) -> String {
        var out = ""
        var inClass = false
        var it = p.makeIterator()
        while let c = it.next() {
            if c == "\\" {
                guard let n = it.next() else { out.append("\\\\"); break }
                switch n {
                case "d": out += inClass ? "0-9" : "[0-9]"
                case "D": out += inClass ? "\\x{0}-/:-\\x{10FFFF}" : "[^0-9]"
                case "w": out += inClass ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]"
                case "W": out += inClass ? "\\x{0}-/:-@\\[-^`{-\\x{10FFFF}" : "[^a-zA-Z0-9_]"
                case "c":
                    // \cX: control character X % 32.
                    if let l = it.next(), let a = l.asciiValue {
                        out += String(format: "\\x{%X}", Int(a % 32))
                    }
                default: out.append("\\"); out.append(n)
                }
                continue
            }
            if inClass {
                // ICU reads '[' and '&&' inside a class as set operations; ECMA-262 as literals.
                if c == "]" { inClass = false; out.append(c) }
                else if c == "[" || c == "&" { out += "\\" + String(c) }
                else { out.append(c) }
                continue
            }
            switch c {
            case "[":
                inClass = true
                out.append(c)
            case "$": out += "(?!(?s:.))"
            default: out.append(c)
            }
        }
        return out
    }
}
