import JSON

/// How the evaluator words what it finds: the finding itself (with the rule
/// it breaks), the value as shown (masked when personal), the field's Chinese
/// title and the closest branch of a failed anyOf/oneOf. Kept apart from the
/// keyword loop, which only decides valid or not.
extension Evaluator {

    var subject: String { titleNode?.takeUnretainedValue().title ?? "value" }

    mutating func report(_ unode: U<SchemaNode>, _ keyword: String, _ message: String, severity: ValidationIssue.Severity = .error) {
        guard collectIssues else { return }
        let node = unode.takeUnretainedValue()
        var text = message
        if let rule = ruleNode?.takeUnretainedValue().rule { text += " (rule: \(rule))" }
        issues.append(ValidationIssue(
            severity: severity,
            instanceLocation: pointer,
            keywordLocation: keyword.isEmpty ? node.location : node.location + "/" + keyword,
            message: text))
    }

    /// For anyOf/oneOf that nothing matched: say so, then show why the closest branch failed.
    mutating func reportBestBranch(_ node: U<SchemaNode>, _ keyword: String, _ subs: [U<SchemaNode>], _ v: Int, _ message: String) {
        guard collectIssues else { return }
        if collectIssues { report(node, keyword, message) }
        var best: [ValidationIssue]?
        for s in subs {
            let before = issues.count
            var ignored = Annotations()
            _ = evaluate(s, v, collect: false, &ignored)
            let found = Array(issues[before...])
            issues.removeSubrange(before...)
            if best == nil || found.count < best!.count { best = found }
        }
        if let best { issues.append(contentsOf: best) }
    }

    var pointer: String {
        var s = ""
        for t in path {
            switch t {
            case .key(let k): s += "/" + JSONPointer.escape(k)
            case .index(let i): s += "/\(i)"
            }
        }
        return s
    }

    /// A value as shown in a message: short, and masked when it is personal information.
    func describe(_ i: Int) -> String {
        let v = tape.value(i)
        switch v {
        case .string(let s):
            let shown = maskNode.map { $0.takeUnretainedValue().mask!(s) } ?? (s.count > 60 ? String(s.prefix(57)) + "…" : s)
            return "\"\(shown)\""
        case .object: return "an object"
        case .array(let a): return "an array of \(a.count)"
        default: return maskNode != nil ? "a value" : JSONWriter.string(v)
        }
    }

    func fieldTitle(_ name: String, in unode: U<SchemaNode>) -> String? {
        let node = unode.takeUnretainedValue(), location = locationSchema.takeUnretainedValue()
        return fieldTitle(name, inSchema: node) ?? (node === location ? nil : fieldTitle(name, inSchema: location))
    }

    func fieldTitle(_ name: String, inSchema node: SchemaNode) -> String? {
        for kw in node.keywords {
            switch kw {
            case .members(let m):
                if let t = m.takeUnretainedValue().properties.node(name)?.takeUnretainedValue().displayTitle { return t }
            case .ref(let r):
                if let t = fieldTitle(name, inSchema: r.takeUnretainedValue()) { return t }
            case .allOf(let subs):
                for s in subs.takeUnretainedValue().nodes { if let t = fieldTitle(name, inSchema: s.takeUnretainedValue()) { return t } }
            default: continue
            }
        }
        return nil
    }

    static func number(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    static func article(_ names: [String]) -> String {
        names.map { ($0 == "integer" || $0 == "object" || $0 == "array" ? "an " : $0 == "null" ? "" : "a ") + $0 }
            .joined(separator: " or ")
    }
}
