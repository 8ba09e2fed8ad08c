import JSON
import Standard
import TOMLKit

extension MappingLoader {
    /// `do = ["trim", { money = "wan_yuan" }, { codes = "penalty-kind" }]`.
    mutating func steps(_ v: (any TOMLValueConvertible)?, tomlPath: [String], field: StandardField, label: String) -> [Step]? {
        guard let v else { return [] }
        let items: [any TOMLValueConvertible]
        if v.string != nil { items = [v] } else if let a = v.array { items = Array(a) } else {
            issue(tomlPath, "do must be a list of steps, e.g. do = [\"trim\", \"halfwidth\"]")
            return nil
        }
        var steps: [Step] = []
        var ok = true
        for item in items {
            let name: String
            let option: (any TOMLValueConvertible)?
            if let s = item.string {
                name = s; option = nil
            } else if let t = item.table, t.keys.count == 1, let k = t.keys.first {
                name = k; option = t[k]
            } else {
                issue(tomlPath, "a step is a name (\"trim\") or a table of one name and its options ({ money = \"wan_yuan\" })")
                ok = false
                continue
            }
            if let step = step(name, option, tomlPath: tomlPath, field: field, label: label) { steps.append(step) } else { ok = false }
        }
        guard ok else { return nil }
        // split matches whole the entries of the code table that follows it which contain a separator.
        for (i, s) in steps.enumerated() {
            guard case .split(let seps, _) = s, let table = steps[(i + 1)...].lazy.compactMap({ if case .codes(let t) = $0 { t } else { nil } }).first else { continue }
            steps[i] = .split(seps, protected: table.entries(containingAnyOf: seps))
        }
        return steps
    }

    mutating func step(_ name: String, _ option: (any TOMLValueConvertible)?, tomlPath: [String], field: StandardField, label: String) -> Step? {
        func noOption(_ s: Step) -> Step? {
            if option != nil { issue(tomlPath, "\(name) takes no options; write \"\(name)\"") }
            return s
        }
        switch name {
        case "trim": return noOption(.trim)
        case "collapse": return noOption(.collapse)
        case "halfwidth": return noOption(.halfwidth)
        case "upper": return noOption(.upper)
        case "lower": return noOption(.lower)
        case "nfkc": return noOption(.nfkc)
        case "date": return noOption(.date)
        case "integer": return noOption(.integer)
        case "datetime":
            guard let zone = option?.table?["zone"]?.string ?? (option == nil ? "+08:00" : nil) else {
                issue(tomlPath, "datetime takes { zone = \"+08:00\" }, the zone of times written without one")
                return nil
            }
            guard let minutes = Self.zoneMinutes(zone) else { issue(tomlPath, "zone \"\(zone)\" must be like +08:00"); return nil }
            return .datetime(zone: minutes)
        case "empty_if":
            guard let option, let values = strings(option, at: tomlPath) else {
                issue(tomlPath, "empty_if takes the values that mean nothing, e.g. { empty_if = [\"无\", \"/\", \"-\"] }")
                return nil
            }
            var distinct: [String] = []
            for v in values.map(TextTransforms.trim) where !distinct.contains(v) { distinct.append(v) }
            return .emptyIf(distinct)
        case "replace":
            guard let t = option?.table, let from = t["from"]?.string, !from.isEmpty, let to = t["to"]?.string else {
                issue(tomlPath, "replace takes { from = \"…\", to = \"…\" }")
                return nil
            }
            return .replace(from, to)
        case "money":
            let unitName = option?.string ?? option?.table?["unit"]?.string ?? "yuan"
            guard let unit = MoneyUnit(rawValue: unitName) else {
                issue(tomlPath, "money unit \"\(unitName)\" is not one of \(MoneyUnit.allCases.map(\.rawValue).joined(separator: ", ")) (the unit of amounts written without one)\(didYouMean(unitName, in: MoneyUnit.allCases.map(\.rawValue)))")
                return nil
            }
            return .money(unit, allowNegative: option?.table?["allow_negative"]?.bool ?? false)
        case "split":
            var seps = Self.separators
            if let option {
                guard let s = option.string, !s.isEmpty else { issue(tomlPath, "split takes its separators as one text, e.g. { split = \"、；;，,\" }"); return nil }
                seps = Set(s.unicodeScalars)
            }
            return .split(seps, protected: [])
        case "codes":
            let tableName = option?.string ?? field.codeList
            guard let tableName else {
                issue(tomlPath, "\(field.path) has no code list in the standard; name a table of the mapping: { codes = \"NAME\" } with [codes.NAME]")
                return nil
            }
            let table: CodeTable
            if let t = codeTables[tableName] {
                table = t
            } else if let list = dictionary.codeLists[tableName] {
                table = CodeTable(name: tableName, entries: CodeTable.standard(list), unknown: list.admitsOtherValues ? .keep : .quarantine)
            } else {
                issue(tomlPath, "no code table \"\(tableName)\": neither [codes.\(tableName)] in the mapping nor a code list of the standard\(didYouMean(tableName, in: Array(codeTables.keys) + Array(dictionary.codeLists.keys)))")
                return nil
            }
            checkCodes(table, field: field, tomlPath: tomlPath)
            return .codes(table)
        default:
            issue(tomlPath, "unknown step \"\(name)\" in \(label)\(didYouMean(name, in: Step.names)); the steps are \(Step.names.joined(separator: ", "))")
            return nil
        }
    }

    static func zoneMinutes(_ z: String) -> Int? {
        let s = Array(z.utf8)
        guard s.count == 6, s[0] == UInt8(ascii: "+") || s[0] == UInt8(ascii: "-"), s[3] == UInt8(ascii: ":"),
              let h = Int(String(decoding: s[1...2], as: UTF8.self)), let m = Int(String(decoding: s[4...5], as: UTF8.self)), h <= 23, m <= 59 else { return nil }
        return (s[0] == UInt8(ascii: "-") ? -1 : 1) * (h * 60 + m)
    }

    /// Every code a table gives must be a code of the field's list.
    mutating func checkCodes(_ table: CodeTable, field: StandardField, tomlPath: [String]) {
        guard let listName = field.codeList, let list = dictionary.codeLists[listName], !list.admitsOtherValues else { return }
        let allowed = Set(list.codes)
        var wrong: [String] = []
        for (value, codes) in table.entries.sorted(by: { $0.key < $1.key }) {
            for c in codes where !allowed.contains(c) { wrong.append("\"\(value)\" → \"\(c)\"\(didYouMean(c, in: list.codes))") }
        }
        if case .default(let d) = table.unknown, !allowed.contains(d) { wrong.append("unknown → \"\(d)\"") }
        if !wrong.isEmpty {
            issue(tomlPath, "code table \(table.name) gives values that are not codes of \(list.name) (\(list.title)) for \(field.path): \(wrong.prefix(5).joined(separator: "; "))")
        }
    }

    /// The steps take what comes before them, and the last gives what the field holds.
    mutating func checkFlow(_ steps: [Step], source: ValueSource, field: StandardField, tomlPath: [String], label: String) {
        var flow: Step.Flow
        switch source {
        case .constant, .none:
            if !steps.isEmpty { issue(tomlPath + ["do"], "\(label): a const or default is written in the standard's form already; it takes no steps") }
            return
        case .template: flow = .text
        case .columns: flow = .value
        }
        for s in steps {
            do { flow = try s.flow(after: flow) } catch {
                issue(tomlPath + ["do"], "\(label): \(error.why)")
                return
            }
        }
        let fits: Bool = switch (field.kind, flow) {
        case (.text, .value), (.text, .text): true
        case (.integer, .value), (.integer, .integer), (.number, .value), (.number, .integer): true
        case (.boolean, .value): true
        case (.list(.text), .value), (.list(.text), .text), (.list(.text), .textList): true
        case (.list(.integer), .value), (.list(.integer), .integer): true
        default: false
        }
        if !fits {
            let hint = field.kind == .integer ? " (add a step that makes a number: money or integer)" : ""
            issue(tomlPath + ["do"], "\(label): the steps give \(flow), but \(field.path) holds \(field.kind)\(hint)")
        }
    }

    /// A constant or default of the right kind for its field.
    mutating func checkConstant(_ v: JSONValue, field: StandardField, tomlPath: [String], what: String) {
        let fits: Bool = switch (field.kind, v) {
        case (.text, .string), (.integer, .int), (.number, .int), (.number, .double), (.boolean, .bool), (.object, .object): true
        case (.list, .array): true
        default: false
        }
        if !fits { issue(tomlPath, "the \(what) of \(field.path) must be \(field.kind)") }
        if case .string(let s) = v, let listName = field.codeList, let list = dictionary.codeLists[listName], !list.admitsOtherValues, !list.codes.contains(s) {
            issue(tomlPath, "the \(what) \"\(s)\" of \(field.path) is not a code of \(list.name) (\(list.title))\(didYouMean(s, in: list.codes))")
        }
    }

    /// Every field the standard requires is made, where its object is made at all.
    mutating func checkRequired(_ rules: [FieldRule], _ fields: [StandardField]) {
        let made = Set(rules.map(\.name)).union(named)
        func isMade(_ path: String) -> Bool { made.contains(path) || made.contains { $0.hasPrefix(path + ".") } }
        var missing: [String] = []
        for f in fields where f.required && f.path != "type" && !f.path.contains("[]") {
            let parent = f.path.split(separator: ".").dropLast().joined(separator: ".")
            if (parent.isEmpty || isMade(parent)) && !isMade(f.path) { missing.append("\(f.path) (\(f.title))") }
        }
        if !missing.isEmpty {
            issue(["mapping"], "\(recordType) requires fields the mapping does not make: \(missing.joined(separator: ", ")); map each from a column, or give a const or default")
        }
    }

    /// Fields in an order where each condition's field is made before it; a cycle is an error.
    mutating func order(_ rules: [FieldRule]) -> [FieldRule] {
        let byName = Dictionary(rules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var out: [FieldRule] = []
        func deps(_ r: FieldRule) -> [String] {
            r.cases.compactMap { c in if case .field(let name)? = c.when?.subject { name } else { nil } }
        }
        func visit(_ r: FieldRule, _ chain: [String]) {
            if state[r.name] == 2 { return }
            if state[r.name] == 1 {
                let cycle = chain.drop { $0 != r.name } + [r.name]
                issues.append(.init(file: file, line: r.line, message: "the conditions of fields form a cycle: \(cycle.joined(separator: " → ")); a field's when cannot depend on itself"))
                return
            }
            state[r.name] = 1
            for d in deps(r) {
                if let dep = byName[d] { visit(dep, chain + [r.name]) }
            }
            state[r.name] = 2
            out.append(r)
        }
        // In the order the file writes them, as previews show them.
        for r in rules.sorted(by: { $0.line < $1.line }) { visit(r, []) }
        return out
    }
}
