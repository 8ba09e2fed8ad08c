import Foundation
import JSON

/// The standard described for the agencies' data people (`Schemas/README.md`):
/// each record type with its fields, Chinese names, rules and code lists.
/// Written from the schema files by `hutong reference`, so that the page says
/// what the validator enforces and a test can tell when it is stale.
public struct StandardReference {
    let files: SchemaFiles

    /// - Throws: `CatalogError` naming a file that cannot be read or is not JSON.
    public init(directory: URL) throws {
        files = try SchemaFiles(directory: directory)
    }

    /// The whole page, in Markdown.
    public func markdown() -> String {
        var out = MarkdownPage()
        header(&out)
        recordTypeTable(&out)
        commonFields(&out)
        for name in StandardCatalog.recordTypeNames { recordType(name, &out) }
        buildingBlocks(&out)
        codeLists(&out)
        exchangeFormats(&out)
        return out.text
    }

    // MARK: - Sections

    private func header(_ out: inout MarkdownPage) {
        let version = files.document("meta.json")?["x-standard-version"]?.stringValue ?? "unknown"
        out.line("# 统一执法数据标准 — the unified enforcement data standard")
        out.line()
        out.line("<!-- Generated from the schema files by `hutong reference -o Schemas/README.md`; change the schemas, then run it again. -->")
        out.line()
        out.line("Version \(version). Every record an agency shares is a JSON object valid against one of the")
        out.line("schemas in this folder (JSON Schema draft 2020-12): one file per record type, shared building")
        out.line("blocks in `common.json`, code lists in `codes/`. `hutong validate FILE…` checks data files")
        out.line("against them; `Schemas/examples/` holds valid and invalid records of every type.")
        out.line()
        out.line("Conventions: money is a whole number of 分 (1 元 = 100 分); dates are `YYYY-MM-DD`")
        out.line("(2099-12-31 means 长期); times are RFC 3339 with a zone; codes are written as the code lists")
        out.line("below give them. A field in the tables is written as a path: `party.name` is `name` inside")
        out.line("`party`, `parties[].name` is `name` in each entry of the list `parties`. Fields marked")
        out.line("*personal* are masked for peers not granted personal information.")
        out.line()
    }

    private func recordTypeTable(_ out: inout MarkdownPage) {
        out.line("## Record types")
        out.line()
        out.row(["type", "名称", "natural key (the record id is derived from it)", "conflict policy"], header: true)
        for name in StandardCatalog.recordTypeNames {
            guard let doc = files.document(name + ".json") else { continue }
            let title = doc["title"]?.stringValue ?? name
            out.row(["[`\(name)`](#type-\(name))", title, naturalKey(doc), doc["x-conflict-policy"]?["policy"]?.stringValue ?? ""])
        }
        out.line()
    }

    private func commonFields(_ out: inout MarkdownPage) {
        guard let record = files.resolve("common.json#/$defs/record", from: "common.json") else { return }
        out.anchor("common-fields")
        out.line("## Fields every record carries")
        out.line()
        if let d = record["description"]?.stringValue { out.line(d); out.line() }
        fieldTable(fields(of: record, prefix: ""), &out)
    }

    private func recordType(_ name: String, _ out: inout MarkdownPage) {
        guard let doc = files.document(name + ".json") else { return }
        out.anchor("type-\(name)")
        out.line("## `\(name)` \(doc["title"]?.stringValue ?? "")")
        out.line()
        if let d = doc["description"]?.stringValue { out.line(d); out.line() }
        out.line("- **Natural key**: \(naturalKey(doc)); the record id is a UUIDv5 of the type and these values.")
        if let p = doc["x-conflict-policy"] {
            out.line("- **Conflicts**: `\(p["policy"]?.stringValue ?? "")` — \(p["description"]?.stringValue ?? "")")
        }
        out.line("- **Fields**: those below and the [fields every record carries](#common-fields); no others.")
        out.line()
        fieldTable(fields(of: doc, prefix: "", skipCommon: true), &out)
        let rules = self.rules(of: doc)
        if !rules.isEmpty {
            out.line("Rules:")
            out.line()
            for r in rules { out.line("- " + r) }
            out.line()
        }
    }

    private func buildingBlocks(_ out: inout MarkdownPage) {
        guard let defs = files.document("common.json")?["$defs"]?.objectValue else { return }
        out.line("## Building blocks (`common.json`)")
        out.line()
        out.row(["definition", "名称", "value", "meaning"], header: true)
        for (key, value) in defs.members where key != "record" {
            let r = files.follow(SchemaFiles.Located(file: "common.json", value: value))
            out.row(["`\(key)`", r.title ?? "", valueKind(r), r.ownDescription ?? ""])
        }
        out.line()
    }

    private func codeLists(_ out: inout MarkdownPage) {
        out.line("## Code lists (`codes/`)")
        out.line()
        for file in files.codeLists {
            guard let doc = files.document(file) else { continue }
            out.anchor(Self.codeAnchor(file))
            out.line("### \(doc["title"]?.stringValue ?? file) — `\(file)`")
            out.line()
            if let d = doc["description"]?.stringValue { out.line(d); out.line() }
            let labels = doc["x-labels"]?.objectValue
            // A list may also admit a pattern of free values ("其他-…") beside its codes.
            var codes = doc["enum"]?.arrayValue ?? []
            var patterns: [String] = []
            for part in doc["anyOf"]?.arrayValue ?? [] {
                codes += part["enum"]?.arrayValue ?? []
                if let p = part["pattern"]?.stringValue { patterns.append("\(part["title"]?.stringValue.map { "`\($0)`: " } ?? "")any text matching `\(p)`") }
            }
            if let labels {
                out.row(["code", "meaning"], header: true)
                for c in codes { out.row(["`\(Self.literal(c))`", labels[Self.literal(c)]?.stringValue ?? ""]) }
            } else {
                out.line(codes.map { "`\(Self.literal($0))`" }.joined(separator: " · "))
            }
            out.line()
            if !patterns.isEmpty { out.line("Also " + patterns.joined(separator: "; ") + "."); out.line() }
            if let legacy = doc["x-legacy-2016"] {
                if let d = legacy["description"]?.stringValue { out.line(d); out.line() }
                out.row(["2016 value", "2021 codes"], header: true)
                for (old, new) in legacy["map"]?.objectValue?.members.map({ $0 }) ?? [] {
                    out.row([old, (new.arrayValue ?? []).map { "`\(Self.literal($0))`" }.joined(separator: ", ")])
                }
                out.line()
            }
        }
    }

    private func exchangeFormats(_ out: inout MarkdownPage) {
        out.line("## Between nodes")
        out.line()
        out.line("What nodes exchange around the records: a stored version (envelope) and the first and last")
        out.line("lines of a batch. Operators meet these in export files and in `hutong records get`.")
        out.line()
        for name in StandardCatalog.otherSchemaNames {
            guard let doc = files.document(name + ".json") else { continue }
            out.line("### `\(name).json` \(doc["title"]?.stringValue ?? "")")
            out.line()
            if let d = doc["description"]?.stringValue { out.line(d); out.line() }
            fieldTable(fields(of: doc, prefix: ""), &out)
        }
    }

    // MARK: - Fields

    struct Field {
        var path: String
        var title: String
        var value: String
        var required: Bool
        var notes: [String]
    }

    /// The page's rows for the fields of an object schema (`SchemaFiles.fields`).
    private func fields(of schema: SchemaFiles.Located, prefix: String, skipCommon: Bool = false) -> [Field] {
        files.fields(of: schema, prefix: prefix, skipCommon: skipCommon).map { f in
            let r = f.resolved
            var notes: [String] = []
            if let d = r.ownDescription { notes.append(d) }
            switch r.keyword("x-personal") {
            case .bool(true): notes.append("*personal*")
            case .string("natural-person"): notes.append("*personal* when the party is a 自然人")
            default: break
            }
            return Field(path: f.path, title: r.title ?? "", value: valueKind(r), required: f.required, notes: notes)
        }
    }

    private func isObject(_ r: SchemaFiles.Resolved) -> Bool { files.isObject(r) }

    private func fieldTable(_ fields: [Field], _ out: inout MarkdownPage) {
        out.row(["field", "名称", "value", "required", "notes"], header: true)
        for f in fields {
            out.row(["`\(f.path)`", f.title, f.value, f.required ? "yes" : "", f.notes.joined(separator: " ")])
        }
        out.line()
    }

    // MARK: - Values

    /// What a field holds, in words: a code list, a format with its check, a
    /// length or range, a list of something.
    private func valueKind(_ r: SchemaFiles.Resolved) -> String {
        if let c = r.keyword("const") { return "always `\(Self.literal(c))`" }
        if let list = r.codeList, let doc = files.document(list) {
            return "code: [\(doc["title"]?.stringValue ?? list)](#\(Self.codeAnchor(list)))"
        }
        if let e = r.keyword("enum")?.arrayValue { return "one of " + e.map { "`\(Self.literal($0))`" }.joined(separator: ", ") }
        switch r.keyword("type")?.stringValue {
        case "string":
            if let f = r.keyword("format")?.stringValue { return Self.formatNames[f] ?? "text (format \(f))" }
            var s = "text"
            let min = r.keyword("minLength")?.intValue, max = r.keyword("maxLength")?.intValue
            if let max { s += ", \(min ?? 0 > 0 ? "\(min!)–" : "at most ")\(max) characters" } else if let min, min > 0 { s += ", at least \(min) characters" }
            if let p = r.keyword("pattern")?.stringValue { s += ", matching `\(p)`" }
            return s
        case "integer", "number":
            var s = r.keyword("type")?.stringValue == "integer" ? "whole number" : "number"
            let min = r.keyword("minimum")?.intValue, max = r.keyword("maximum")?.intValue
            switch (min, max) {
            case let (lo?, hi?): s += " from \(lo) to \(Self.bound(hi))"
            case let (lo?, nil): s += " ≥ \(lo)"
            case let (nil, hi?): s += " ≤ \(Self.bound(hi))"
            default: break
            }
            return s
        case "boolean": return "true or false"
        case "array":
            var s = "list"
            if let items = r.keyword("items"), let owner = r.chain.first(where: { $0["items"] != nil }) {
                let ir = files.follow(SchemaFiles.Located(file: owner.file, value: items))
                let what = isObject(ir) ? (ir.title.map { "\($0) (fields below)" } ?? "objects (fields below)") : valueKind(ir)
                s += " of " + what
            }
            var limits: [String] = []
            if let n = r.keyword("minItems")?.intValue { limits.append("at least \(n)") }
            if let n = r.keyword("maxItems")?.intValue { limits.append("at most \(n)") }
            if r.keyword("uniqueItems")?.boolValue == true { limits.append("no repeats") }
            return limits.isEmpty ? s : s + " (" + limits.joined(separator: ", ") + ")"
        case "object":
            if isObject(r) { return "object (fields below)" }
            if let p = r.keyword("minProperties")?.intValue { return "object, at least \(p) member\(p == 1 ? "" : "s")" }
            return "object"
        default:
            return ""
        }
    }

    static let formatNames: [String: String] = [
        "uscc": "统一社会信用代码: 18 characters, checked (GB 32100-2015)",
        "cn-resident-id": "公民身份号码: 18 characters, checked (GB 11643-1999)",
        "cn-org-code": "组织机构代码: `XXXXXXXX-X`, checked (GB 11714)",
        "cn-admin-division": "行政区划代码: 6 digits (GB/T 2260)",
        "date": "date `YYYY-MM-DD`",
        "date-time": "date and time, RFC 3339 with a zone",
        "uuid": "UUID",
        "uri": "URI",
        "json-pointer": "JSON Pointer",
        "email": "e-mail address",
    ]

    /// 2^53−1, the largest whole number every JSON reader keeps exact, by name.
    private static func bound(_ v: Int64) -> String {
        v == 9_007_199_254_740_991 ? "2⁵³−1" : String(v)
    }

    // MARK: - Rules

    /// The rules a record of this type must keep beyond its fields' own
    /// values, as the schemas quote them (`x-rule`), the date orders
    /// (`x-date-order`) and the fields that come together (`dependentRequired`).
    private func rules(of doc: SchemaFiles.Located) -> [String] {
        var out: [String] = []
        var visited: Set<String> = []
        func titleOf(_ name: String, in s: SchemaFiles.Located) -> String {
            for link in files.follow(s).chain {
                if let p = link["properties"]?[name] { return files.follow(SchemaFiles.Located(file: link.file, value: p)).title ?? name }
            }
            if let record = files.resolve("common.json#/$defs/record", from: "common.json"), let p = record["properties"]?[name] {
                return files.follow(SchemaFiles.Located(file: record.file, value: p)).title ?? name
            }
            return name
        }
        func add(_ rule: String) { if !out.contains(rule) { out.append(rule) } }
        func walk(_ s: SchemaFiles.Located, _ prefix: String) {
            guard case .object(let o) = s.value else { return }
            if let ref = o["$ref"]?.stringValue, let target = files.resolve(ref, from: s.file),
               visited.insert(prefix + "|" + target.file + "#" + ref).inserted {
                walk(target, prefix)
            }
            if let rule = o["x-rule"]?.stringValue { add(rule) }
            for pair in o["x-date-order"]?.arrayValue ?? [] {
                guard let names = pair.arrayValue?.compactMap(\.stringValue), names.count == 2 else { continue }
                add("\(titleOf(names[0], in: s)) (`\(prefix + names[0])`) is not later than \(titleOf(names[1], in: s)) (`\(prefix + names[1])`)")
            }
            for (name, needs) in o["dependentRequired"]?.objectValue?.members.map({ $0 }) ?? [] {
                let others = (needs.arrayValue ?? []).compactMap(\.stringValue).map { "\(titleOf($0, in: s)) (`\(prefix + $0)`)" }
                add("\(titleOf(name, in: s)) (`\(prefix + name)`) comes with \(others.joined(separator: ", "))")
            }
            for (name, sub) in o["properties"]?.objectValue?.members.map({ $0 }) ?? [] {
                walk(SchemaFiles.Located(file: s.file, value: sub), prefix + name + ".")
            }
            for key in ["items", "contains", "if", "then", "else", "not"] {
                if let sub = o[key] { walk(SchemaFiles.Located(file: s.file, value: sub), key == "items" ? String(prefix.dropLast()) + "[]." : prefix) }
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                for sub in o[key]?.arrayValue ?? [] { walk(SchemaFiles.Located(file: s.file, value: sub), prefix) }
            }
        }
        walk(doc, "")
        return out
    }

    // MARK: - Helpers

    private func naturalKey(_ doc: SchemaFiles.Located) -> String {
        (doc["x-natural-key"]?.arrayValue ?? []).compactMap(\.stringValue).map { pointer in
            "`" + (JSONPointer.tokens(pointer) ?? []).joined(separator: ".") + "`"
        }.joined(separator: " + ")
    }

    static func codeAnchor(_ file: String) -> String {
        "code-" + (file.split(separator: "/").last.map { String($0.dropLast(5)) } ?? file)
    }

    static func literal(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): String(b)
        default: JSONWriter.string(v)
        }
    }
}

/// Lines of Markdown, with table cells escaped.
struct MarkdownPage {
    private(set) var text = ""

    mutating func line(_ s: String = "") { text += s + "\n" }

    mutating func anchor(_ id: String) { line("<a id=\"\(id)\"></a>"); line() }

    mutating func row(_ cells: [String], header: Bool = false) {
        let escaped = cells.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        line("| " + escaped.joined(separator: " | ") + " |")
        if header { line("|" + String(repeating: "---|", count: cells.count)) }
    }
}
