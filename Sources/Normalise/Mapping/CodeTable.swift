import Standard

/// Values → standard codes: a code list of the standard (its codes, their
/// labels, its older catalogue's values), a mapping's own table for local
/// codes, or both. One value may stand for several codes (an old penalty kind
/// that the 2021 list split in two).
public struct CodeTable: Sendable {
    public let name: String
    /// Value as written (trimmed) → codes.
    let entries: [String: [String]]
    /// The same keyed by bytes, and by a folded key (ASCII case and full-width forms ignored).
    private let exact: [TextKey: [String]]
    private let folded: [TextKey: [String]]
    /// What happens to a value that is in no entry.
    let unknown: Unknown

    public enum Unknown: Sendable, Equatable {
        /// The row goes to quarantine naming the value (the default: never a silent null).
        case quarantine
        /// The value passes as it is (validation then judges it).
        case keep
        /// The value becomes this code.
        case `default`(String)
    }

    init(name: String, entries: [String: [String]], unknown: Unknown) {
        self.name = name
        self.entries = entries
        var exact: [TextKey: [String]] = [:], folded: [TextKey: [String]] = [:]
        for (k, v) in entries {
            exact[TextKey(k)] = v
            folded[TextKey(Self.fold(k))] = v
        }
        self.exact = exact
        self.folded = folded
        self.unknown = unknown
    }

    /// Entries that contain one of `separators`, longest first: `split`
    /// matches them whole before it splits on those separators.
    func entries(containingAnyOf separators: Set<Unicode.Scalar>) -> [String] {
        entries.keys.filter { $0.unicodeScalars.contains(where: separators.contains) }
            .sorted { $0.unicodeScalars.count > $1.unicodeScalars.count }
    }

    /// A standard code list as a table: each code, each label, each older value.
    static func standard(_ list: CodeList) -> [String: [String]] {
        var entries: [String: [String]] = [:]
        for (old, codes) in list.legacy { entries[old] = codes }
        for (code, label) in list.labels { entries[label] = [code] }
        for code in list.codes { entries[code] = [code] }
        return entries
    }

    /// The codes `value` stands for, or nil when it is in no entry.
    func lookup(_ value: String) -> [String]? {
        exact[TextKey(value)] ?? folded[TextKey(Self.fold(value))]
    }

    static func fold(_ s: String) -> String { TextTransforms.upper(TextTransforms.collapse(TextTransforms.halfwidth(s))) }
}
