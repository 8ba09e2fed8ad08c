/// What is wrong with a mapping file: every problem found, each with its file
/// and line and, where one is close, a suggestion ("did you mean …").
public struct MappingError: Error, Sendable, CustomStringConvertible {
    public struct Issue: Sendable, CustomStringConvertible {
        public let file: String
        public let line: Int?
        public let message: String

        public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
    }

    public let issues: [Issue]

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// The closest of `candidates` to `word`, when one is close enough to be a typo.
public func suggestion(for word: String, in candidates: some Sequence<String>) -> String? {
    let candidates = Array(candidates)
    let lower = word.lowercased()
    // A candidate the word begins (wan → wan_yuan) is meant more often than one a letter or two away.
    if lower.count >= 2, let whole = candidates.filter({ $0.lowercased().hasPrefix(lower) }).min(by: { $0.count < $1.count }) {
        return whole
    }
    let w = Array(lower.unicodeScalars)
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(w, Array(c.lowercased().unicodeScalars))
        if d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    guard let (c, d) = best, d <= max(2, w.count / 3), d < w.count else { return nil }
    return c
}

/// "; did you mean X?" or nothing.
public func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String {
    suggestion(for: word, in: candidates).map { "; did you mean \($0)?" } ?? ""
}

private func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
