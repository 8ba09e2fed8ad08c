/// Where a key of a TOML file is written, for messages that name the line:
/// TOMLKit gives values without their place. Reads table headers
/// (`[field."party.name"]`, `[[test]]`) and the keys at the start of lines;
/// a key inside an inline table is found at the line of the key that holds it.
struct TOMLLocator {
    /// Key path (table path + key, `[[x]]` items as `x`, `#n`) → line (1-based).
    private var lines: [[String]: Int] = [:]

    init(text: String) {
        var table: [String] = []
        var arrayCounts: [[String]: Int] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("[[") {
                let path = Self.keyPath(line.dropFirst(2).prefix { $0 != "]" })
                let index = arrayCounts[path, default: 0] + 1
                arrayCounts[path] = index
                table = path + ["#\(index)"]
                lines[table] = n + 1
            } else if line.hasPrefix("[") {
                table = Self.keyPath(line.dropFirst().prefix { $0 != "]" })
                // [a.b] also writes a (first place wins).
                for i in 1...table.count where lines[Array(table.prefix(i))] == nil { lines[Array(table.prefix(i))] = n + 1 }
            } else if let eq = Self.assignment(line) {
                let path = table + Self.keyPath(line[..<eq])
                if lines[path] == nil { lines[path] = n + 1 }
            }
        }
    }

    /// The line of `path`, or of the nearest enclosing key that is written.
    func line(_ path: [String]) -> Int? {
        var p = path
        while !p.isEmpty {
            if let l = lines[p] { return l }
            p.removeLast()
        }
        return nil
    }

    /// The position of the `=` of a `key = value` line outside quotes.
    private static func assignment(_ line: Substring) -> Substring.Index? {
        guard let first = line.first, first != "#" else { return nil }
        var quote: Character?
        for i in line.indices {
            let c = line[i]
            if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c } else if c == "=" { return i } else if c == "{" || c == "[" { return nil }
        }
        return nil
    }

    /// `a."b.c".d` → ["a", "b.c", "d"].
    static func keyPath(_ s: Substring) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        for c in s {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "." {
                out.append(current.trimmingSpaces); current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current.trimmingSpaces)
        return out
    }
}

extension String {
    fileprivate var trimmingSpaces: String { TextTransforms.trim(self) }
}
