import Foundation

/// A `pattern` / `patternProperties` regular expression. JSON Schema patterns are
/// ECMA-262; Foundation's engine is ICU, so the places where they differ are
/// translated: `\d` and `\w` are ASCII-only, `\s` includes U+FEFF, `$` means end
/// of input, `[]`/`[^]` are valid, and lookbehind may have any length.
final class ECMARegex: @unchecked Sendable {
    let source: String
    /// ICU's form of the pattern, unless it is simple enough to match without
    /// Foundation (then ICU is not needed, and the empty pattern, which ICU
    /// refuses, works too).
    private let regex: NSRegularExpression?
    private let simple: SimplePattern?

    init(_ pattern: String) throws {
        source = pattern
        simple = SimplePattern(pattern)
        if simple != nil {
            regex = nil
            return
        }
        do {
            regex = try NSRegularExpression(pattern: Self.translate(pattern), options: [])
        } catch {
            throw SchemaError.invalidSchema("pattern \"\(pattern)\" is not a valid regular expression", at: "pattern")
        }
    }

    /// Whether the pattern matches anywhere in `s` (patterns are not anchored).
    func matches(_ s: String) -> Bool {
        if let simple { return simple.matches(s) }
        let ns = s as NSString
        return regex!.firstMatch(in: s, options: [], range: NSRange(location: 0, length: ns.length)) != nil
    }

    /// `matches` on UTF-8 bytes: simple patterns match them in place.
    func matches(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        if let simple { return simple.matches(u) }
        return matches(String(decoding: u, as: UTF8.self))
    }

    /// Whether `pattern` is an ECMA-262 regular expression (format "regex"): ICU
    /// must accept it, and it must not use what ICU allows but ECMA-262 does not.
    static func isValid(_ pattern: String) -> Bool {
        !usesNonECMASyntax(pattern) && (try? ECMARegex(pattern)) != nil
    }

    /// Python/PCRE group forms, inline flags and comments, and letter escapes
    /// that ECMA-262 (in Unicode mode) does not define, such as `\a`.
    static func usesNonECMASyntax(_ p: String) -> Bool {
        let c = Array(p.unicodeScalars)
        var i = 0
        var inClass = false
        while i < c.count {
            if c[i] == "\\" {
                guard i + 1 < c.count else { return true }
                let n = c[i + 1]
                if n.isASCII && n.properties.isAlphabetic && !"dDwWsSbBfnrtvcxukpP".unicodeScalars.contains(n) { return true }
                i += 2
                continue
            }
            if inClass {
                if c[i] == "]" { inClass = false }
            } else if c[i] == "[" {
                inClass = true
                if i + 1 < c.count && c[i + 1] == "]" { i += 1 }  // "[]" closes at once
            } else if c[i] == "(" && i + 1 < c.count && c[i + 1] == "?" {
                guard i + 2 < c.count else { return true }
                switch c[i + 2] {
                case ":", "=", "!": break
                case "<":
                    guard i + 3 < c.count else { return true }
                    if c[i + 3] != "=" && c[i + 3] != "!" {
                        // A named group: (?<name>…)
                        var j = i + 3
                        while j < c.count, c[j] != ">" {
                            guard c[j].properties.isAlphabetic || c[j].properties.numericType != nil || c[j] == "_" || c[j] == "$" else { return true }
                            j += 1
                        }
                        if j == i + 3 || j == c.count { return true }
                    }
                default: return true
                }
            }
            i += 1
        }
        return false
    }

    static func translate(_ p: String) -> String {
        var out = ""
        var inClass = false
        var depth = 0
        var lookbehindDepth: [Int] = []
        var it = p.makeIterator()
        while let c = it.next() {
            if c == "\\" {
                guard let n = it.next() else { out.append("\\\\"); break }
                switch n {
                case "d": out += inClass ? "0-9" : "[0-9]"
                case "D": out += inClass ? "\\x{0}-/:-\\x{10FFFF}" : "[^0-9]"
                case "w": out += inClass ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]"
                // ECMA-262 white space includes U+FEFF, which ICU's \s leaves out.
                case "s": out += inClass ? "\\s\\x{FEFF}" : "[\\s\\x{FEFF}]"
                case "S" where !inClass: out += "[^\\s\\x{FEFF}]"
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
                // ECMA-262 "[]" matches nothing and "[^]" anything; ICU rejects both.
                var peek = it
                let n1 = peek.next()
                if n1 == "]" { it = peek; out += "(?!)"; continue }
                if n1 == "^", peek.next() == "]" { _ = it.next(); _ = it.next(); out += "[\\s\\S]"; continue }
                inClass = true
                out.append(c)
            case "$": out += "(?!(?s:.))"
            case "(":
                out.append(c)
                var peek = it
                if peek.next() == "?", peek.next() == "<", let k = peek.next(), k == "=" || k == "!" { lookbehindDepth.append(depth) }
                depth += 1
            case ")":
                depth -= 1
                if lookbehindDepth.last == depth { lookbehindDepth.removeLast() }
                out.append(c)
            // ICU needs lookbehind of bounded length; ECMA-262 allows any.
            case "+" where !lookbehindDepth.isEmpty: out += "{1,1000}"
            case "*" where !lookbehindDepth.isEmpty: out += "{0,1000}"
            default: out.append(c)
            }
        }
        return out
    }
}
