import Foundation
import JSON
import Standard
import TOMLKit

extension Mapping {
    /// Reads and checks a mapping file against the standard's data dictionary.
    /// - Throws: `MappingError` with every problem found, each with its line.
    public init(file: String, dictionary: DataDictionary) throws(MappingError) {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw MappingError(issues: [.init(file: file, line: nil, message: "cannot read the mapping file (it must exist and be UTF-8)")])
        }
        try self.init(text: text, file: file, dictionary: dictionary)
    }

    public init(text: String, file: String, dictionary: DataDictionary) throws(MappingError) {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw MappingError(issues: [.init(file: file, line: e.source.begin.line, message: "not valid TOML: \(e.description)")])
        } catch {
            throw MappingError(issues: [.init(file: file, line: nil, message: "not valid TOML: \(error)")])
        }
        var loader = MappingLoader(file: file, locator: TOMLLocator(text: text), dictionary: dictionary)
        let mapping = loader.load(table)
        guard loader.issues.isEmpty, var mapping else { throw MappingError(issues: loader.issues) }
        mapping.definition = Definition(text: text, dictionary: dictionary)
        self = mapping
    }

    /// What a mapping was loaded from, to load it again.
    struct Definition: Sendable {
        let text: String
        let dictionary: DataDictionary
    }

    /// `count` mappings alike, this one first, the others loaded again from the
    /// same text: one for each core that maps rows. Cores that share one
    /// mapping's objects contend for their reference counts at every row.
    public func copies(_ count: Int) -> [Mapping] {
        [self] + (1..<max(1, count)).map { _ in
            definition.flatMap { try? Mapping(text: $0.text, file: file, dictionary: $0.dictionary) } ?? self
        }
    }
}

/// Reads a mapping's TOML, collecting every problem rather than stopping at the first.
struct MappingLoader {
    let file: String
    let locator: TOMLLocator
    let dictionary: DataDictionary
    var issues: [MappingError.Issue] = []
    var columns: [String: Int] = [:]
    /// Every column referred to, in the order of their slots.
    var slots: [String] = []
    var recordType = ""
    var codeTables: [String: CodeTable] = [:]
    /// Fields the mapping writes a rule for, loaded or not: one that failed to
    /// load is reported once, not again as a required field nobody makes.
    var named: Set<String> = []

    static let ruleKeys = ["from", "template", "const", "default", "do", "when", "cases"]
    static let sections = ["mapping", "source", "field", "codes", "test"]

    init(file: String, locator: TOMLLocator, dictionary: DataDictionary) {
        self.file = file; self.locator = locator; self.dictionary = dictionary
    }

    mutating func issue(_ path: [String], _ message: String) {
        issues.append(.init(file: file, line: locator.line(path), message: message))
    }

    mutating func load(_ root: TOMLTable) -> Mapping? {
        for key in root.keys where !Self.sections.contains(key) {
            issue([key], "unknown section [\(key)]\(didYouMean(key, in: Self.sections)); a mapping has [mapping], [source], [field.…], [codes.…] and [[test]]")
        }
        guard let head = root["mapping"]?.table else {
            issue([], "no [mapping] section: it names the record type, e.g. [mapping] type = \"penalty\"")
            return nil
        }
        for key in head.keys where !["type", "name", "key", "description"].contains(key) {
            issue(["mapping", key], "unknown key \(key) in [mapping]\(didYouMean(key, in: ["type", "name", "key", "description"]))")
        }
        guard let type = head["type"]?.string else {
            issue(["mapping"], "[mapping] needs type, the standard record type (\(StandardCatalog.recordTypeNames.joined(separator: ", ")))")
            return nil
        }
        guard let standardFields = dictionary.fields[type] else {
            issue(["mapping", "type"], "unknown record type \"\(type)\"\(didYouMean(type, in: StandardCatalog.recordTypeNames)); the types are \(StandardCatalog.recordTypeNames.joined(separator: ", "))")
            return nil
        }
        recordType = type
        let key = strings(head["key"], at: ["mapping", "key"]) ?? []
        for k in key { use(column: k, at: ["mapping", "key"]) }
        let source = sourceOptions(root["source"]?.table)
        loadCodeTables(root["codes"]?.table)
        var rules: [FieldRule] = []
        if let fieldTable = root["field"]?.table {
            collectRules(fieldTable, tomlPath: ["field"], prefix: [], standardFields: standardFields, into: &rules)
        } else {
            issue([], "no [field.…] sections: nothing would be mapped")
        }
        checkRequired(rules, standardFields)
        if let declared = source.columns {
            // The source's columns are listed: a column no source has is a typo, found now.
            for (column, line) in columns.sorted(by: { $0.value < $1.value }) where !declared.contains(column) {
                issues.append(.init(file: file, line: line == 0 ? nil : line,
                                    message: "unknown column \(column)\(didYouMean(column, in: declared)); [source] columns lists the source's columns"))
            }
        }
        let ordered = order(rules)
        let tests = loadTests(root["test"], rules: rules)
        let name = head["name"]?.string ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let positions = Dictionary(ordered.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let plans = CasePlan.plans(ordered, positions)
        return Mapping(file: file, name: name, recordType: type, key: key, source: source, fields: ordered, tests: tests, columns: columns,
                       caseBase: plans.base,
                       casePlans: plans.plans, memo: StepMemo(slots: plans.memoSlots), layout: RecordLayout(recordType: type, paths: ordered.map(\.path), lists: ordered.map(\.isList)), columnPlan: ColumnPlan(slots: slots))
    }

    /// Notes a column the mapping reads, and gives the reference its slot.
    @discardableResult
    mutating func use(column: String, at path: [String]) -> ColumnRef {
        if columns[column] == nil { columns[column] = locator.line(path) ?? 0 }
        if let slot = slots.firstIndex(of: column) { return ColumnRef(name: column, slot: slot) }
        slots.append(column)
        return ColumnRef(name: column, slot: slots.count - 1)
    }

    mutating func strings(_ value: (any TOMLValueConvertible)?, at path: [String]) -> [String]? {
        guard let value else { return nil }
        if let s = value.string { return [s] }
        if let a = value.array {
            let out = a.compactMap { $0.string }
            if out.count == a.count { return out }
        }
        issue(path, "\(path.last ?? "") must be a text or a list of texts")
        return nil
    }

    // MARK: [source]

    mutating func sourceOptions(_ t: TOMLTable?) -> Mapping.SourceOptions {
        var o = Mapping.SourceOptions()
        guard let t else { return o }
        let keys = ["format", "encoding", "delimiter", "columns"]
        for key in t.keys where !keys.contains(key) {
            issue(["source", key], "unknown key \(key) in [source]\(didYouMean(key, in: keys))")
        }
        if t.contains(key: "columns") { o.columns = strings(t["columns"], at: ["source", "columns"]) }
        if let f = t["format"]?.string {
            if ["csv", "ndjson", "json"].contains(f) { o.format = f } else { issue(["source", "format"], "format \"\(f)\" is not one of csv, ndjson, json") }
        }
        if let e = t["encoding"]?.string {
            switch e.lowercased() {
            case "utf-8", "utf8": o.encoding = .utf8
            case "gb18030", "gbk", "gb2312": o.encoding = .gb18030
            case "auto": o.encoding = nil
            default: issue(["source", "encoding"], "encoding \"\(e)\" is not one of utf-8, gb18030 (which covers gbk and gb2312), auto")
            }
        }
        if let d = t["delimiter"]?.string {
            if d.utf8.count == 1 { o.delimiter = d.utf8.first! } else { issue(["source", "delimiter"], "delimiter must be one ASCII character, e.g. \",\" or \"\\t\"") }
        }
        return o
    }

    // MARK: [codes.NAME]

    mutating func loadCodeTables(_ t: TOMLTable?) {
        guard let t else { return }
        for name in t.keys {
            let path = ["codes", name]
            guard let spec = t[name]?.table else { issue(path, "[codes.\(name)] must be a table with map, standard and unknown"); continue }
            for key in spec.keys where !["map", "standard", "unknown"].contains(key) {
                issue(path + [key], "unknown key \(key) in [codes.\(name)]\(didYouMean(key, in: ["map", "standard", "unknown"]))")
            }
            var entries: [String: [String]] = [:]
            if let std = spec["standard"]?.string {
                if let list = dictionary.codeLists[std] {
                    entries = CodeTable.standard(list)
                } else {
                    issue(path + ["standard"], "no code list \"\(std)\" in the standard\(didYouMean(std, in: dictionary.codeLists.keys))")
                }
            }
            if let map = spec["map"]?.table {
                for (k, v) in map {
                    if let s = v.string { entries[k] = [s] } else if let codes = strings(v, at: path + ["map"]) { entries[k] = codes }
                }
            } else if spec["map"] != nil {
                issue(path + ["map"], "map must be a table of value = code, e.g. map = { \"01\" = \"警告\" }")
            }
            codeTables[name] = CodeTable(name: name, entries: entries, unknown: unknownPolicy(spec["unknown"], at: path + ["unknown"]))
        }
    }

    mutating func unknownPolicy(_ v: (any TOMLValueConvertible)?, at path: [String]) -> CodeTable.Unknown {
        guard let v else { return .quarantine }
        if let s = v.string {
            switch s {
            case "quarantine": return .quarantine
            case "keep": return .keep
            default: break
            }
        } else if let d = v.table?["default"]?.string {
            return .default(d)
        }
        issue(path, "unknown must be \"quarantine\", \"keep\" or { default = \"CODE\" }")
        return .quarantine
    }

    /// The separators of a multi-valued column: 、，,；;/ (and white space).
    static let separators: Set<Unicode.Scalar> = Set("、，,；;/／".unicodeScalars)
}
