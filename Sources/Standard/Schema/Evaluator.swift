/// Applies a compiled schema to one instance. A value type with its own
/// scratch state, so each thread validating records has its own.
struct Evaluator {
    enum PathToken {
        case key(String)
        case index(Int)
    }

    let schema: JSONSchema
    /// When false, only validity is computed (used for trial branches of anyOf, not, if …).
    var collectIssues: Bool
    private(set) var issues: [ValidationIssue] = []
    private var path: [PathToken] = []
    private var scope: [Int] = []
    // Schema nodes live as long as the compiled schema the evaluator holds, so
    // the references below are unowned: no reference counting per node visited.
    /// The node whose title names the field being evaluated (first title met at this location).
    private unowned(unsafe) var titleNode: SchemaNode?
    private var personal = false
    /// The node whose `x-rule` is quoted in findings.
    private unowned(unsafe) var ruleNode: SchemaNode?
    /// The schema that first applied at the current instance location: where
    /// messages look up a field's title when a nested rule (e.g. a `then`) names it.
    private unowned(unsafe) var locationSchema: SchemaNode

    init(schema: JSONSchema, collectIssues: Bool) {
        self.schema = schema
        self.collectIssues = collectIssues
        self.locationSchema = schema.root
    }

    // MARK: Nodes

    mutating func evaluate(_ start: SchemaNode, _ v: JSONValue, collect: Bool, _ ann: inout Annotations) -> Bool {
        // Unowned locals: the compiled schema keeps every node alive.
        unowned(unsafe) let savedTitle = titleNode
        unowned(unsafe) let savedRule = ruleNode
        let savedPersonal = personal
        unowned(unsafe) var node = start
        while true {
            if titleNode == nil && node.hasTitle { titleNode = node }
            if node.personal { personal = true }
            if node.hasRule { ruleNode = node }
            guard node.forward != nil else { break }
            node = node.forward!
        }
        if let c = node.constant {
            if !c && collectIssues { report(node, "", "\(subject) is not allowed here") }
            titleNode = savedTitle; personal = savedPersonal; ruleNode = savedRule
            return c
        }
        let pushed = schema.tracksDynamicScope && scope.last != node.resource
        if pushed { scope.append(node.resource) }
        defer {
            titleNode = savedTitle; personal = savedPersonal; ruleNode = savedRule
            if pushed { scope.removeLast() }
        }

        let needAnnotations = collect || node.collectsAnnotations
        var local = Annotations()
        var valid = true
        let keywords = node.keywordBuffer
        var str: String?
        var obj: JSONObject?
        switch v {
        case .string(let s): str = s
        case .object(let o): obj = o
        default: break
        }
        for i in 0..<keywords.count {
            if !apply(keywords[i], node, v, str, obj, needAnnotations, &local) {
                valid = false
                if !collectIssues { return false }
            }
        }
        if node.collectsAnnotations, let u = node.unevaluatedProperties, case .object(let o) = v, !local.allProperties {
            for i in 0..<o.count where !local.properties.contains(i) {
                if !member(u, o.keys[i], o.values[i], node: node, keyword: "unevaluatedProperties") {
                    valid = false
                    if !collectIssues { return false }
                }
            }
            local.allProperties = true
        }
        if node.collectsAnnotations, let u = node.unevaluatedItems, case .array(let a) = v, !local.allItems {
            for i in local.prefixItems..<max(local.prefixItems, a.count) where !local.containsItems.contains(i) {
                if !item(u, i, a[i]) {
                    valid = false
                    if !collectIssues { return false }
                }
            }
            local.allItems = true
        }
        // Annotations of a failed subschema are dropped (spec), except while
        // findings are recorded: trial branches (anyOf, not, if …) run with
        // findings off, so a failure here always makes the whole record invalid,
        // and keeping what it evaluated only stops `unevaluatedProperties`
        // from calling every field of a failed `allOf` branch unknown.
        if collect && (valid || collectIssues) { ann.merge(local) }
        return valid
    }

    /// Evaluates without recording findings: for branches whose failure is not itself an error.
    private mutating func trial(_ node: SchemaNode, _ v: JSONValue, collect: Bool, _ ann: inout Annotations) -> Bool {
        let saved = collectIssues
        collectIssues = false
        defer { collectIssues = saved }
        return evaluate(node, v, collect: collect, &ann)
    }

    private mutating func atLocation<R>(_ token: @autoclosure () -> PathToken, schema: SchemaNode? = nil, _ body: (inout Evaluator) -> R) -> R {
        // The path only names where a finding is: without findings it is not kept.
        let tracked = collectIssues
        if tracked { path.append(token()) }
        unowned(unsafe) let savedTitle = titleNode
        unowned(unsafe) let savedRule = ruleNode
        unowned(unsafe) let savedSchema = locationSchema
        titleNode = nil
        ruleNode = nil
        if let schema { locationSchema = schema }
        defer {
            if tracked { path.removeLast() }
            titleNode = savedTitle; ruleNode = savedRule; locationSchema = savedSchema
        }
        return body(&self)
    }

    private mutating func member(_ s: SchemaNode, _ key: String, _ value: JSONValue, node: SchemaNode, keyword: @autoclosure () -> String) -> Bool {
        if s.constant == false {
            // Name the unknown field rather than saying "false schema".
            let owner = titleNode?.title
            return atLocation(.key(key)) { e in
                if e.collectIssues { e.report(node, keyword(), "unknown field \"\(key)\" is not allowed\(owner.map { " in \($0)" } ?? "")") }
                return false
            }
        }
        var ignored = Annotations()
        return atLocation(.key(key), schema: s) { $0.evaluate(s, value, collect: false, &ignored) }
    }

    private mutating func item(_ s: SchemaNode, _ i: Int, _ value: JSONValue) -> Bool {
        var ignored = Annotations()
        return atLocation(.index(i), schema: s) { $0.evaluate(s, value, collect: false, &ignored) }
    }

    // MARK: Keywords

    /// `str` and `obj` are `v`'s payload, taken out once per node rather than
    /// once per keyword (each extraction costs reference counting).
    private mutating func apply(_ kw: Keyword, _ node: SchemaNode, _ v: JSONValue, _ str: String?, _ obj: JSONObject?,
                                _ collect: Bool, _ ann: inout Annotations) -> Bool {
        switch kw {
        case .ref(let r):
            return r._withUnsafeGuaranteedRef { evaluate($0, v, collect: collect, &ann) }

        case .dynamicRef(let box):
            let r = box.takeUnretainedValue()
            var target = r.target!
            if let name = r.dynamicAnchor {
                for res in scope {
                    if let n = schema.dynamicAnchors[res]?[name] { target = n; break }
                }
            }
            return evaluate(target, v, collect: collect, &ann)

        case .type(let types):
            if Self.matches(v, types) { return true }
            if collectIssues { report(node, "type", "\(subject) must be \(Self.article(types.names)), not \(Self.article([v.typeName]))") }
            return false

        case .enumeration(let box):
            let e = box.takeUnretainedValue()
            let values = e.values
            if e.strings != nil, let s = str {
                if e.containsString(s) { return true }
            } else if values.contains(v) {
                return true
            }
            if collectIssues {
                let shown = values.prefix(14).map { JSONWriter.string($0) }.joined(separator: ", ")
                let more = values.count > 14 ? ", … (\(values.count) values in all)" : ""
                if collectIssues { report(node, "enum", "\(subject) must be one of \(shown)\(more); got \(describe(v))") }
            }
            return false

        case .const(let box):
            let c = box.takeUnretainedValue().value
            if v == c { return true }
            if collectIssues { report(node, "const", "\(subject) must be \(JSONWriter.string(c)); got \(describe(v))") }
            return false

        case .multipleOf(let box):
            let m = box.takeUnretainedValue().value
            guard v.doubleValue != nil else { return true }
            if Self.isMultiple(v, of: m) { return true }
            if collectIssues { report(node, "multipleOf", "\(subject) must be a multiple of \(JSONWriter.string(m)); got \(describe(v))") }
            return false

        case .maximum(let limit, let exclusive):
            guard let d = v.doubleValue else { return true }
            if exclusive ? d < limit : d <= limit { return true }
            if collectIssues { report(node, exclusive ? "exclusiveMaximum" : "maximum",
                   "\(subject) must be \(exclusive ? "less than" : "at most") \(Self.number(limit)); got \(describe(v))") }
            return false

        case .minimum(let limit, let exclusive):
            guard let d = v.doubleValue else { return true }
            if exclusive ? d > limit : d >= limit { return true }
            if collectIssues { report(node, exclusive ? "exclusiveMinimum" : "minimum",
                   "\(subject) must be \(exclusive ? "greater than" : "at least") \(Self.number(limit)); got \(describe(v))") }
            return false

        case .maxLength(let n):
            guard let s = str else { return true }
            if s.utf8.count <= n { return true }  // UTF-8 length bounds the scalar count
            let len = s.unicodeScalars.count
            if len <= n { return true }
            if collectIssues { report(node, "maxLength", "\(subject) must be at most \(n) characters long; it has \(len)") }
            return false

        case .minLength(let n):
            guard let s = str else { return true }
            if s.utf8.count >= n * 4 { return true }
            let len = s.unicodeScalars.count
            if len >= n { return true }
            if collectIssues { report(node, "minLength", n == 1 ? "\(subject) must not be empty" : "\(subject) must be at least \(n) characters long; it has \(len)") }
            return false

        case .pattern(let box):
            let re = box.takeUnretainedValue()
            guard let s = str else { return true }
            if re.matches(s) { return true }
            if collectIssues { report(node, "pattern", "\(subject) \(describe(v)) does not have the required form (pattern \(re.source))") }
            return false

        case .format(let box):
            guard let s = str else { return true }
            switch box.takeUnretainedValue().check(s) {
            case .valid: return true
            case .invalid(let why):
                if collectIssues { report(node, "format", "\(subject) \(why)") }
                return false
            case .warning(let why):
                if collectIssues { report(node, "format", "\(subject) \(why)", severity: .warning) }
                return true
            }

        case .maxItems(let n):
            guard case .array(let a) = v, a.count > n else { return true }
            if collectIssues { report(node, "maxItems", "\(subject) must have at most \(n) items; it has \(a.count)") }
            return false

        case .minItems(let n):
            guard case .array(let a) = v, a.count < n else { return true }
            if collectIssues { report(node, "minItems", "\(subject) must have at least \(n) item\(n == 1 ? "" : "s"); it has \(a.count)") }
            return false

        case .uniqueItems:
            guard case .array(let a) = v, a.count > 1 else { return true }
            for i in 0..<a.count {
                for j in (i + 1)..<a.count where a[i] == a[j] {
                    if collectIssues { report(node, "uniqueItems", "\(subject) must not repeat items: items \(i) and \(j) are the same (\(describe(a[i])))") }
                    return false
                }
            }
            return true

        case .maxProperties(let n):
            guard let o = obj, o.count > n else { return true }
            if collectIssues { report(node, "maxProperties", "\(subject) must have at most \(n) fields; it has \(o.count)") }
            return false

        case .minProperties(let n):
            guard let o = obj, o.count < n else { return true }
            if collectIssues { report(node, "minProperties", "\(subject) must have at least \(n) field\(n == 1 ? "" : "s"); it has \(o.count)") }
            return false

        case .required(let box):
            guard let o = obj else { return true }
            var ok = true
            let names = box.takeUnretainedValue()
            for (k, name) in names.names.enumerated() where o.index(of: name, hash: names.hashes[k]) == nil {
                ok = false
                guard collectIssues else { return false }
                if collectIssues { report(node, "required", "missing required field \"\(name)\"\(fieldTitle(name, in: node).map { " (\($0))" } ?? "")") }
            }
            return ok

        case .dependentRequired(let box):
            guard let o = obj else { return true }
            var ok = true
            for (trigger, needed) in box.takeUnretainedValue().deps where o[trigger] != nil {
                for name in needed where o[name] == nil {
                    ok = false
                    guard collectIssues else { return false }
                    if collectIssues { report(node, "dependentRequired", "field \"\(trigger)\" requires field \"\(name)\"\(fieldTitle(name, in: node).map { " (\($0))" } ?? ""), which is missing") }
                }
            }
            return ok

        case .allOf(let box):
            var ok = true
            for s in box.takeUnretainedValue().nodes where !evaluate(s.takeUnretainedValue(), v, collect: collect, &ann) {
                ok = false
                if !collectIssues { return false }
            }
            return ok

        case .anyOf(let box):
            let subs = box.takeUnretainedValue().nodes
            var any = false
            for s in subs {
                if trial(s.takeUnretainedValue(), v, collect: collect, &ann) {
                    any = true
                    if !collect { return true }
                }
            }
            if !any { reportBestBranch(node, "anyOf", subs.map { $0.takeUnretainedValue() }, v, "\(subject) matches none of the \(subs.count) allowed forms") }
            return any

        case .oneOf(let box):
            let subs = box.takeUnretainedValue().nodes
            var passed: [Int] = []
            var branchAnn = Annotations()
            for (i, s) in subs.enumerated() {
                var a = Annotations()
                if trial(s.takeUnretainedValue(), v, collect: collect, &a) {
                    passed.append(i)
                    branchAnn = a
                    if passed.count > 1 && !collectIssues { return false }
                }
            }
            if passed.count == 1 {
                if collect { ann.merge(branchAnn) }
                return true
            }
            if passed.isEmpty {
                reportBestBranch(node, "oneOf", subs.map { $0.takeUnretainedValue() }, v, "\(subject) matches none of the \(subs.count) allowed forms")
            } else {
                if collectIssues { report(node, "oneOf", "\(subject) matches more than one of the allowed forms (\(passed.map { "#\($0 + 1)" }.joined(separator: ", ")) of \(subs.count)); it must match exactly one") }
            }
            return false

        case .not(let u):
            let s = u.takeUnretainedValue()
            var ignored = Annotations()
            if !trial(s, v, collect: false, &ignored) { return true }
            if collectIssues { report(node, "not", "\(subject) \(describe(v)) has a form that is not allowed here\(s.title.map { " (\($0))" } ?? "")") }
            return false

        case .conditional(let box):
            let c = box.takeUnretainedValue()
            var ifAnn = Annotations()
            if trial(c.ifNode.takeUnretainedValue(), v, collect: collect, &ifAnn) {
                if collect { ann.merge(ifAnn) }
                guard let thenNode = c.thenNode else { return true }
                return evaluate(thenNode.takeUnretainedValue(), v, collect: collect, &ann)
            } else {
                guard let elseNode = c.elseNode else { return true }
                return evaluate(elseNode.takeUnretainedValue(), v, collect: collect, &ann)
            }

        case .dependentSchemas(let box):
            guard let o = obj else { return true }
            var ok = true
            for (trigger, s) in box.takeUnretainedValue().deps where o[trigger] != nil {
                if !evaluate(s.takeUnretainedValue(), v, collect: collect, &ann) {
                    ok = false
                    if !collectIssues { return false }
                }
            }
            return ok

        case .members(let box):
            guard let o = obj else { return true }
            let m = box.takeUnretainedValue()
            if m.patterns.isEmpty && m.additional == nil && m.propertyList.count <= 4 {
                // A few names (typically an `if`): find each in the instance.
                var ok = true
                for (key, hash, s) in m.propertyList {
                    guard let i = o.index(of: key, hash: hash) else { continue }
                    if collect { ann.properties.insert(i) }
                    if !member(s.takeUnretainedValue(), key, o.values[i], node: node, keyword: "properties/" + JSONPointer.escape(key)) {
                        ok = false
                        if !collectIssues { return false }
                    }
                }
                return ok
            }
            let properties = m.properties, patterns = m.patterns, additional = m.additional
            let hashes = o.hashes
            var ok = true
            for i in 0..<o.count {
                let key = o.keys[i]
                var matched = false
                if let s = properties.node(key, hash: hashes[i]) {
                    matched = true
                    if !member(s.takeUnretainedValue(), key, o.values[i], node: node, keyword: "properties/" + JSONPointer.escape(key)) {
                        ok = false
                        if !collectIssues { return false }
                    }
                }
                for (re, s) in patterns where re.matches(key) {
                    matched = true
                    if !member(s.takeUnretainedValue(), key, o.values[i], node: node, keyword: "patternProperties") {
                        ok = false
                        if !collectIssues { return false }
                    }
                }
                if !matched, let additional {
                    if !member(additional.takeUnretainedValue(), key, o.values[i], node: node, keyword: "additionalProperties") {
                        ok = false
                        if !collectIssues { return false }
                    }
                } else if matched && collect {
                    ann.properties.insert(i)
                }
            }
            if (ok || collectIssues) && collect && additional != nil { ann.allProperties = true }
            return ok

        case .propertyNames(let u):
            let s = u.takeUnretainedValue()
            guard let o = obj else { return true }
            var ok = true
            for k in o.keys {
                var ignored = Annotations()
                if !trial(s, .string(k), collect: false, &ignored) {
                    ok = false
                    guard collectIssues else { return false }
                    atLocation(.key(k)) { $0.report(node, "propertyNames", "field name \"\(k)\" is not allowed") }
                }
            }
            return ok

        case .items(let box):
            guard case .array(let a) = v else { return true }
            let prefix = box.takeUnretainedValue().prefix, rest = box.takeUnretainedValue().rest?.takeUnretainedValue()
            var ok = true
            for i in 0..<min(prefix.count, a.count) where !item(prefix[i].takeUnretainedValue(), i, a[i]) {
                ok = false
                if !collectIssues { return false }
            }
            if let rest {
                for i in prefix.count..<max(prefix.count, a.count) where !item(rest, i, a[i]) {
                    ok = false
                    if !collectIssues { return false }
                }
            }
            if (ok || collectIssues) && collect {
                ann.prefixItems = max(ann.prefixItems, min(prefix.count, a.count))
                if rest != nil { ann.allItems = true }
            }
            return ok

        case .contains(let box):
            guard case .array(let a) = v else { return true }
            let c = box.takeUnretainedValue()
            let s = c.node.takeUnretainedValue(), minCount = c.min, maxCount = c.max
            var count = 0
            var matchedIndexes = BitSet()
            for (i, x) in a.enumerated() {
                var ignored = Annotations()
                if atLocation(.index(i), { $0.trial(s, x, collect: false, &ignored) }) {
                    count += 1
                    if collect { matchedIndexes.insert(i) }
                    if maxCount == nil && count >= minCount && !collect { return true }
                }
            }
            if count < minCount {
                if collectIssues { report(node, minCount == 1 && count == 0 ? "contains" : "minContains",
                       "\(subject) must contain at least \(minCount) matching item\(minCount == 1 ? "" : "s")\(s.displayTitle.map { " (\($0))" } ?? ""); it has \(count)") }
                return false
            }
            if let maxCount, count > maxCount {
                if collectIssues { report(node, "maxContains", "\(subject) must contain at most \(maxCount) matching items; it has \(count)") }
                return false
            }
            if collect { ann.containsItems.formUnion(matchedIndexes) }
            return true

        case .dateOrder(let box):
            guard let o = obj else { return true }
            var ok = true
            let order = box.takeUnretainedValue()
            for (k, (earlier, later)) in order.pairs.enumerated() {
                // Only well-formed dates are compared; a malformed one has its own finding.
                guard case .string(let a)? = o.value(earlier, hash: order.hashes[k].0),
                      case .string(let b)? = o.value(later, hash: order.hashes[k].1),
                      DateFormats.startsWithDate(a), DateFormats.startsWithDate(b) else { continue }
                // ISO dates compare correctly as text; a date-time is compared by its date.
                if a.prefix(10) > b.prefix(10) {
                    ok = false
                    guard collectIssues else { return false }
                    let ta = fieldTitle(earlier, in: node) ?? earlier, tb = fieldTitle(later, in: node) ?? later
                    atLocation(.key(later)) {
                        if $0.collectIssues { $0.report(node, "x-date-order", "\(tb) \(b.prefix(10)) is before \(ta) \(a.prefix(10)); it must be on or after it") }
                    }
                }
            }
            return ok
        }
    }

    // MARK: Findings

    private var subject: String { titleNode?.title ?? "value" }

    private mutating func report(_ node: SchemaNode, _ keyword: String, _ message: String, severity: ValidationIssue.Severity = .error) {
        guard collectIssues else { return }
        var text = message
        if let rule = ruleNode?.rule { text += " (rule: \(rule))" }
        issues.append(ValidationIssue(
            severity: severity,
            instanceLocation: pointer,
            keywordLocation: keyword.isEmpty ? node.location : node.location + "/" + keyword,
            message: text))
    }

    /// For anyOf/oneOf that nothing matched: say so, then show why the closest branch failed.
    private mutating func reportBestBranch(_ node: SchemaNode, _ keyword: String, _ subs: [SchemaNode], _ v: JSONValue, _ message: String) {
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

    private var pointer: String {
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
    private func describe(_ v: JSONValue) -> String {
        switch v {
        case .string(let s):
            let shown = personal ? PersonalData.mask(s) : (s.count > 60 ? String(s.prefix(57)) + "…" : s)
            return "\"\(shown)\""
        case .object: return "an object"
        case .array(let a): return "an array of \(a.count)"
        default: return personal ? "a value" : JSONWriter.string(v)
        }
    }

    private func fieldTitle(_ name: String, in node: SchemaNode) -> String? {
        fieldTitle(name, inSchema: node) ?? (node === locationSchema ? nil : fieldTitle(name, inSchema: locationSchema))
    }

    private func fieldTitle(_ name: String, inSchema node: SchemaNode) -> String? {
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

    private static func number(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    private static func article(_ names: [String]) -> String {
        names.map { ($0 == "integer" || $0 == "object" || $0 == "array" ? "an " : $0 == "null" ? "" : "a ") + $0 }
            .joined(separator: " or ")
    }

    static func matches(_ v: JSONValue, _ t: TypeSet) -> Bool {
        switch v {
        case .null: t.contains(.null)
        case .bool: t.contains(.boolean)
        case .int: t.contains(.integer) || t.contains(.number)
        case .double(let d): t.contains(.number) || (t.contains(.integer) && d.rounded() == d && d.isFinite)
        case .string: t.contains(.string)
        case .array: t.contains(.array)
        case .object: t.contains(.object)
        }
    }

    static func isMultiple(_ v: JSONValue, of m: JSONValue) -> Bool {
        if case .int(let a) = v, case .int(let b) = m { return a % b == 0 }
        guard let a = v.doubleValue, let b = m.doubleValue else { return true }
        let q = a / b
        if !q.isFinite { return a.rounded() == a && b.rounded() == b ? true : false }
        let r = q.rounded()
        return abs(q - r) <= 1e-9 * max(1, abs(q))
    }
}
