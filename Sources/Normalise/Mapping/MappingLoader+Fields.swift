import JSON
import Standard
import TOMLKit

extension MappingLoader {
    /// `[field.party.name]` and `[field."party.name"]` alike: a table with a
    /// rule's keys is a field; a table without them holds deeper fields.
    mutating func collectRules(_ t: TOMLTable, tomlPath: [String], prefix: [String], standardFields: [StandardField], into rules: inout [FieldRule]) {
        for key in t.keys {
            let value = t[key]!
            let here = tomlPath + [key]
            let path = prefix + key.split(separator: ".").map(String.init)
            let name = path.joined(separator: ".")
            let known = standardFields.first { $0.path == name }
            // A table of deeper fields, unless it names a field that holds a value (then its keys are misspelt).
            if let sub = value.table, !sub.keys.contains(where: Self.ruleKeys.contains), known == nil || known?.kind == .object {
                collectRules(sub, tomlPath: here, prefix: path, standardFields: standardFields, into: &rules)
                continue
            }
            guard let field = known else {
                let near = suggestion(for: name, in: standardFields.map(\.path)) ?? suggestion(for: path.last!, in: standardFields.map(\.path))
                issue(here, "\(recordType) has no field \(name)\(near.map { "; did you mean \($0)?" } ?? "") (the fields are listed in Schemas/README.md)")
                continue
            }
            if name == "type" { issue(here, "type is set from [mapping] type; leave it out"); continue }
            named.insert(name)
            if field.path.contains("[]") { issue(here, "\(name) is inside a list of objects; map the whole list with const"); continue }
            if let rule = rule(value, tomlPath: here, field: field) { rules.append(rule) }
        }
    }

    /// One field: a column name alone, or a table with from/template/const,
    /// do, default, when — or cases, a list of such tables tried in order.
    mutating func rule(_ value: any TOMLValueConvertible, tomlPath: [String], field: StandardField) -> FieldRule? {
        var cases: [FieldCase] = []
        let line = locator.line(tomlPath) ?? 0
        if let column = value.string {
            cases = [FieldCase(when: nil, source: .columns([use(column: column, at: tomlPath)]), steps: [], defaultValue: nil, line: line)]
        } else if let t = value.table {
            if let list = t["cases"] {
                for key in t.keys where key != "cases" {
                    issue(tomlPath + [key], "a field with cases has its keys inside each case, not beside them")
                }
                guard let items = list.array else { issue(tomlPath + ["cases"], "cases must be a list of tables"); return nil }
                for (i, item) in items.enumerated() {
                    guard let ct = item.table else { issue(tomlPath + ["cases"], "case \(i + 1) must be a table"); continue }
                    if let c = fieldCase(ct, tomlPath: tomlPath + ["cases"], field: field, label: "case \(i + 1) of \(field.path)") { cases.append(c) }
                }
                for (i, c) in cases.enumerated() where c.when == nil && i < cases.count - 1 {
                    issue(tomlPath + ["cases"], "case \(i + 1) of \(field.path) has no when, so the cases after it are never used; put it last")
                }
            } else if let c = fieldCase(t, tomlPath: tomlPath, field: field, label: field.path) {
                cases = [c]
            }
        } else {
            issue(tomlPath, "\(field.path) must be a column name or a table (from, const, template, do, default, when, cases)")
            return nil
        }
        guard !cases.isEmpty else { return nil }
        let isList: Bool, isInteger: Bool
        if case .list = field.kind { isList = true } else { isList = false }
        isInteger = field.kind == .integer
        return FieldRule(name: field.path, line: line, cases: cases, personal: field.personal,
                         isList: isList, isInteger: isInteger)
    }

    mutating func fieldCase(_ t: TOMLTable, tomlPath: [String], field: StandardField, label: String) -> FieldCase? {
        for key in t.keys where !Self.ruleKeys.contains(key) || key == "cases" {
            issue(tomlPath + [key], "unknown key \(key) in \(label)\(didYouMean(key, in: Self.ruleKeys.filter { $0 != "cases" }))")
        }
        let sourceKeys = ["from", "template", "const"].filter { t.contains(key: $0) }
        guard sourceKeys.count <= 1 else {
            issue(tomlPath, "\(label) has \(sourceKeys.joined(separator: " and ")); give one of from, template, const")
            return nil
        }
        var source = ValueSource.none
        if let from = t["from"] {
            guard let cols = strings(from, at: tomlPath + ["from"]) else { return nil }
            source = .columns(cols.map { use(column: $0, at: tomlPath + ["from"]) })
        } else if let template = t["template"] {
            guard let s = template.string, let parts = templateParts(s, at: tomlPath + ["template"]) else {
                issue(tomlPath + ["template"], "template must be a text with {COLUMN} places, e.g. \"{CF_CFJG}（{CF_CFJGDM}）\"")
                return nil
            }
            source = .template(parts)
        } else if let c = t["const"] {
            source = .constant(json(c))
        }
        let defaultValue = t["default"].map { json($0) }
        if case .none = source, defaultValue == nil {
            issue(tomlPath, "\(label) needs from, template, const or default")
            return nil
        }
        let steps = self.steps(t["do"], tomlPath: tomlPath + ["do"], field: field, label: label)
        var when: Condition?
        if let w = t["when"] {
            when = condition(w, tomlPath: tomlPath + ["when"])
            if when == nil { return nil }
        }
        guard let steps else { return nil }
        checkFlow(steps, source: source, field: field, tomlPath: tomlPath, label: label)
        if let d = defaultValue { checkConstant(d, field: field, tomlPath: tomlPath + ["default"], what: "default") }
        if case .constant(let c) = source { checkConstant(c, field: field, tomlPath: tomlPath + ["const"], what: "const") }
        return FieldCase(when: when, source: source, steps: steps, defaultValue: defaultValue, line: locator.line(tomlPath) ?? 0)
    }

    mutating func templateParts(_ s: String, at path: [String]) -> [ValueSource.TemplatePart]? {
        var parts: [ValueSource.TemplatePart] = []
        var rest = Substring(s)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { return nil }
            let column = String(rest[rest.index(after: open)..<close])
            guard !column.isEmpty else { return nil }
            parts.append(.column(use(column: column, at: path)))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return parts.contains { if case .column = $0 { true } else { false } } ? parts : nil
    }

    /// `{ column = "CF_XDR_LB", is = ["自然人", "2"] }`, `{ field = "party.kind", is = "自然人" }`,
    /// `{ column = "X", empty = true }`; `is_not` for the opposite.
    mutating func condition(_ v: any TOMLValueConvertible, tomlPath: [String]) -> Condition? {
        let keys = ["column", "field", "is", "is_not", "empty"]
        guard let t = v.table else {
            issue(tomlPath, "when must be a table, e.g. when = { column = \"CF_XDR_LB\", is = \"自然人\" }")
            return nil
        }
        for key in t.keys where !keys.contains(key) {
            issue(tomlPath, "unknown key \(key) in when\(didYouMean(key, in: keys))")
        }
        let subject: Condition.Subject
        if let c = t["column"]?.string {
            subject = .column(use(column: c, at: tomlPath))
        } else if let f = t["field"]?.string {
            guard dictionary.field(f, of: recordType) != nil else {
                issue(tomlPath, "when reads field \(f), which \(recordType) does not have\(didYouMean(f, in: dictionary.fields[recordType]!.map(\.path)))")
                return nil
            }
            subject = .field(f)
        } else {
            issue(tomlPath, "when needs column = \"…\" or field = \"…\"")
            return nil
        }
        let isValues = t["is"].flatMap { strings($0, at: tomlPath) }
        let notValues = t["is_not"].flatMap { strings($0, at: tomlPath) }
        let empty = t["empty"]?.bool
        guard [isValues != nil, notValues != nil, empty != nil].filter({ $0 }).count == 1 else {
            issue(tomlPath, "when needs exactly one of is, is_not, empty")
            return nil
        }
        let values = (isValues ?? notValues).map { Set($0.map { TextTransforms.trim(TextTransforms.halfwidth($0)) }) }
        return Condition(subject: subject, values: values, empty: empty, negated: notValues != nil)
    }

    /// TOML → JSON, for constants, defaults and expected values.
    func json(_ v: any TOMLValueConvertible) -> JSONValue {
        if let s = v.string { return .string(s) }
        if let b = v.bool { return .bool(b) }
        if let i = v.int { return .int(Int64(i)) }
        if let d = v.double { return .double(d) }
        if let a = v.array { return .array(a.map { json($0) }) }
        if let t = v.table {
            var o = JSONObject()
            for k in t.keys { o[k] = json(t[k]!) }
            return .object(o)
        }
        return .string(String(describing: v))
    }
}
