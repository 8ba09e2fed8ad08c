import Foundation
import JSON

/// Applies a compiled schema to one instance, walking its tape: values are
/// entry indexes. A value type with its own scratch state, so each thread
/// validating records has its own.
struct Evaluator {
    enum PathToken {
        case key(String)
        case index(Int)
    }

    let schema: JSONSchema
    let tape: JSONTapeView
    /// When false, only validity is computed (used for trial branches of anyOf, not, if …).
    var collectIssues: Bool
    var issues: [ValidationIssue] = []
    var path: [PathToken] = []
    private var scope: [Int] = []
    // Schema nodes live as long as the compiled schema the evaluator holds, so
    // nodes are passed and kept unmanaged: no reference counting per node
    // visited (an unowned reference is still retained around each call).
    /// The node whose title names the field being evaluated (first title met at this location).
    var titleNode: U<SchemaNode>?
    /// The node whose mask shows values in findings (personal information).
    var maskNode: U<SchemaNode>?
    /// The node whose `x-rule` is quoted in findings.
    var ruleNode: U<SchemaNode>?
    /// The schema that first applied at the current instance location: where
    /// messages look up a field's title when a nested rule (e.g. a `then`) names it.
    var locationSchema: U<SchemaNode>

    init(schema: JSONSchema, tape: JSONTapeView, collectIssues: Bool) {
        self.schema = schema
        self.tape = tape
        self.collectIssues = collectIssues
        self.locationSchema = .passUnretained(schema.root)
    }

    // MARK: Nodes

    mutating func evaluate(_ start: U<SchemaNode>, _ v: Int, collect: Bool, _ ann: inout Annotations) -> Bool {
        let savedTitle = titleNode, savedRule = ruleNode, savedMask = maskNode
        var node = start
        while true {
            let (hasTitle, masks, hasRule, forward) = node._withUnsafeGuaranteedRef { ($0.hasTitle, $0.masksValues, $0.hasRule, $0.forward) }
            if titleNode == nil && hasTitle { titleNode = node }
            if masks && maskNode == nil { maskNode = node }
            if hasRule { ruleNode = node }
            guard let forward else { break }
            node = forward
        }
        let (constant, resource, collectsAnnotations, keywords, unevaluatedProperties, unevaluatedItems) = node._withUnsafeGuaranteedRef {
            ($0.constant, $0.resource, $0.collectsAnnotations, UnsafeBufferPointer($0.keywordBuffer),
             $0.unevaluatedProperties, $0.unevaluatedItems)
        }
        if let c = constant {
            if !c && collectIssues { report(node, "", "\(subject) is not allowed here") }
            titleNode = savedTitle; maskNode = savedMask; ruleNode = savedRule
            return c
        }
        let pushed = schema.tracksDynamicScope && scope.last != resource
        if pushed { scope.append(resource) }
        defer {
            titleNode = savedTitle; maskNode = savedMask; ruleNode = savedRule
            if pushed { scope.removeLast() }
        }

        var valid = true
        if !collect && !collectsAnnotations {
            // Nothing to gather: keywords given `collect` false never write
            // annotations, so the caller's serve and none are made (one made
            // and freed per node visited is measurable in validation).
            for i in 0..<keywords.count where !apply(keywords[i], node, v, false, &ann) {
                valid = false
                if !collectIssues { return false }
            }
            return valid
        }
        var local = Annotations()
        for i in 0..<keywords.count {
            if !apply(keywords[i], node, v, true, &local) {
                valid = false
                if !collectIssues { return false }
            }
        }
        if collectsAnnotations, let u = unevaluatedProperties, tape.kind(v) == .object, !local.allProperties {
            var k = v + 1
            for i in 0..<tape.count(v) {
                if !local.properties.contains(i) && !member(u, k, node: node, keyword: .unevaluatedProperties, &ann) {
                    valid = false
                    if !collectIssues { return false }
                }
                k = tape.next(k + 1)
            }
            local.allProperties = true
        }
        if collectsAnnotations, let u = unevaluatedItems, tape.kind(v) == .array, !local.allItems {
            var k = v + 1
            for i in 0..<tape.count(v) {
                if i >= local.prefixItems && !local.containsItems.contains(i) && !item(u, i, k, &ann) {
                    valid = false
                    if !collectIssues { return false }
                }
                k = tape.next(k)
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
    private mutating func trial(_ node: U<SchemaNode>, _ v: Int, collect: Bool, _ ann: inout Annotations) -> Bool {
        let saved = collectIssues
        collectIssues = false
        defer { collectIssues = saved }
        return evaluate(node, v, collect: collect, &ann)
    }

    private mutating func atLocation<R>(_ token: @autoclosure () -> PathToken, schema: U<SchemaNode>? = nil, _ body: (inout Evaluator) -> R) -> R {
        // The path only names where a finding is: without findings it is not kept.
        let tracked = collectIssues
        if tracked { path.append(token()) }
        let savedTitle = titleNode, savedRule = ruleNode, savedSchema = locationSchema
        titleNode = nil
        ruleNode = nil
        if let schema { locationSchema = schema }
        defer {
            if tracked { path.removeLast() }
            titleNode = savedTitle; ruleNode = savedRule; locationSchema = savedSchema
        }
        return body(&self)
    }

    /// The keyword that applies a subschema to a member, as findings name it.
    /// Not a closure building the text: forming one per member, for findings
    /// that are rarely made, retained what it captured every time.
    enum MemberKeyword {
        case properties, patternProperties, additionalProperties, unevaluatedProperties
    }

    /// The member whose name is entry `key` (its value is the next entry).
    /// Evaluated with `collect` false, so `unused` is left as it is: any
    /// annotations the caller holds will do.
    private mutating func member(_ s: U<SchemaNode>, _ key: Int, node: U<SchemaNode>, keyword: MemberKeyword, _ unused: inout Annotations) -> Bool {
        let tape = self.tape
        if s._withUnsafeGuaranteedRef({ $0.constant == false }) {
            // Name the unknown field rather than saying "false schema".
            let owner = titleNode?.takeUnretainedValue().title
            return atLocation(.key(tape.makeString(key))) { e in
                if e.collectIssues { e.report(node, e.name(keyword, key), "unknown field \"\(e.tape.makeString(key))\" is not allowed\(owner.map { " in \($0)" } ?? "")") }
                return false
            }
        }
        return atLocation(.key(tape.makeString(key)), schema: s) { $0.evaluate(s, key + 1, collect: false, &unused) }
    }

    private func name(_ keyword: MemberKeyword, _ key: Int) -> String {
        switch keyword {
        case .properties: "properties/" + JSONPointer.escape(tape.makeString(key))
        case .patternProperties: "patternProperties"
        case .additionalProperties: "additionalProperties"
        case .unevaluatedProperties: "unevaluatedProperties"
        }
    }

    /// As `member`, for item `i` at entry `value`.
    private mutating func item(_ s: U<SchemaNode>, _ i: Int, _ value: Int, _ unused: inout Annotations) -> Bool {
        atLocation(.index(i), schema: s) { $0.evaluate(s, value, collect: false, &unused) }
    }

    // MARK: Keywords

    private mutating func apply(_ kw: Keyword, _ node: U<SchemaNode>, _ v: Int, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        let kind = tape.kind(v)
        switch kw {
        case .ref(let r):
            return evaluate(r, v, collect: collect, &ann)

        case .dynamicRef(let box):
            let r = box.takeUnretainedValue()
            var target = r.target!
            if let name = r.dynamicAnchor {
                for res in scope {
                    if let n = schema.dynamicAnchors[res]?[name] { target = n; break }
                }
            }
            return evaluate(.passUnretained(target), v, collect: collect, &ann)

        case .type(let types):
            if matches(v, types) { return true }
            if collectIssues { report(node, "type", "\(subject) must be \(Self.article(types.names)), not \(Self.article([tape.typeName(v)]))") }
            return false

        case .enumeration(let box):
            return box._withUnsafeGuaranteedRef { enumeration($0, node, v, kind, collect, &ann) }

        case .const(let box):
            let same = box._withUnsafeGuaranteedRef { b in
                if let bytes = b.string { return kind == .string && bytes.withUnsafeBufferPointer { JSONTapeView.same($0, tape.string(v)) } }
                return tape.equals(v, b.value)
            }
            if same { return true }
            let c = box.takeUnretainedValue().value
            if collectIssues { report(node, "const", "\(subject) must be \(JSONWriter.string(c)); got \(describe(v))") }
            return false

        case .multipleOf(let box):
            let m = box.takeUnretainedValue().value
            guard let n = tape.number(v) else { return true }
            if Self.isMultiple(n, of: m) { return true }
            if collectIssues { report(node, "multipleOf", "\(subject) must be a multiple of \(JSONWriter.string(m)); got \(describe(v))") }
            return false

        case .maximum(let limit, let exclusive):
            guard let d = tape.doubleValue(v) else { return true }
            if exclusive ? d < limit : d <= limit { return true }
            if collectIssues { report(node, exclusive ? "exclusiveMaximum" : "maximum",
                   "\(subject) must be \(exclusive ? "less than" : "at most") \(Self.number(limit)); got \(describe(v))") }
            return false

        case .minimum(let limit, let exclusive):
            guard let d = tape.doubleValue(v) else { return true }
            if exclusive ? d > limit : d >= limit { return true }
            if collectIssues { report(node, exclusive ? "exclusiveMinimum" : "minimum",
                   "\(subject) must be \(exclusive ? "greater than" : "at least") \(Self.number(limit)); got \(describe(v))") }
            return false

        case .maxLength(let n):
            guard kind == .string else { return true }
            if tape.string(v).count <= n { return true }  // UTF-8 length bounds the scalar count
            let len = tape.scalarCount(v)
            if len <= n { return true }
            if collectIssues { report(node, "maxLength", "\(subject) must be at most \(n) characters long; it has \(len)") }
            return false

        case .minLength(let n):
            guard kind == .string else { return true }
            if tape.string(v).count >= n * 4 { return true }
            let len = tape.scalarCount(v)
            if len >= n { return true }
            if collectIssues { report(node, "minLength", n == 1 ? "\(subject) must not be empty" : "\(subject) must be at least \(n) characters long; it has \(len)") }
            return false

        case .pattern(let box):
            let re = box.takeUnretainedValue()
            guard kind == .string else { return true }
            if re.matches(tape.string(v)) { return true }
            if collectIssues { report(node, "pattern", "\(subject) \(describe(v)) does not have the required form (pattern \(re.source))") }
            return false

        case .format(let box):
            guard kind == .string else { return true }
            switch box.takeUnretainedValue().check(tape.makeString(v)) {
            case .valid: return true
            case .invalid(let why):
                if collectIssues { report(node, "format", "\(subject) \(why)") }
                return false
            case .warning(let why):
                if collectIssues { report(node, "format", "\(subject) \(why)", severity: .warning) }
                return true
            }

        case .maxItems(let n):
            guard kind == .array, tape.count(v) > n else { return true }
            if collectIssues { report(node, "maxItems", "\(subject) must have at most \(n) items; it has \(tape.count(v))") }
            return false

        case .minItems(let n):
            guard kind == .array, tape.count(v) < n else { return true }
            if collectIssues { report(node, "minItems", "\(subject) must have at least \(n) item\(n == 1 ? "" : "s"); it has \(tape.count(v))") }
            return false

        case .uniqueItems:
            guard kind == .array, tape.count(v) > 1 else { return true }
            let a = items(v)
            for i in 0..<a.count {
                for j in (i + 1)..<a.count where tape.equals(a[i], a[j]) {
                    if collectIssues { report(node, "uniqueItems", "\(subject) must not repeat items: items \(i) and \(j) are the same (\(describe(a[i])))") }
                    return false
                }
            }
            return true

        case .maxProperties(let n):
            guard kind == .object, tape.count(v) > n else { return true }
            if collectIssues { report(node, "maxProperties", "\(subject) must have at most \(n) fields; it has \(tape.count(v))") }
            return false

        case .minProperties(let n):
            guard kind == .object, tape.count(v) < n else { return true }
            if collectIssues { report(node, "minProperties", "\(subject) must have at least \(n) field\(n == 1 ? "" : "s"); it has \(tape.count(v))") }
            return false

        case .required(let box):
            return box._withUnsafeGuaranteedRef { required($0, node, v, kind, collect, &ann) }

        case .dependentRequired(let box):
            guard kind == .object else { return true }
            var ok = true
            for (trigger, needed) in box.takeUnretainedValue().deps where has(v, trigger) {
                for name in needed where !has(v, name) {
                    ok = false
                    guard collectIssues else { return false }
                    if collectIssues { report(node, "dependentRequired", "field \"\(trigger)\" requires field \"\(name)\"\(fieldTitle(name, in: node).map { " (\($0))" } ?? ""), which is missing") }
                }
            }
            return ok

        case .allOf(let box):
            return box._withUnsafeGuaranteedRef { allOf($0, node, v, kind, collect, &ann) }

        case .anyOf(let box):
            return box._withUnsafeGuaranteedRef { anyOf($0, node, v, kind, collect, &ann) }

        case .oneOf(let box):
            return box._withUnsafeGuaranteedRef { oneOf($0, node, v, kind, collect, &ann) }

        case .not(let u):
            var ignored = Annotations()
            if !trial(u, v, collect: false, &ignored) { return true }
            if collectIssues { report(node, "not", "\(subject) \(describe(v)) has a form that is not allowed here\(u.takeUnretainedValue().title.map { " (\($0))" } ?? "")") }
            return false

        case .conditional(let box):
            return box._withUnsafeGuaranteedRef { conditional($0, node, v, kind, collect, &ann) }

        case .dependentSchemas(let box):
            guard kind == .object else { return true }
            var ok = true
            for (trigger, s) in box.takeUnretainedValue().deps where has(v, trigger) {
                if !evaluate(s, v, collect: collect, &ann) {
                    ok = false
                    if !collectIssues { return false }
                }
            }
            return ok

        case .members(let box):
            return box._withUnsafeGuaranteedRef { members($0, node, v, kind, collect, &ann) }

        case .propertyNames(let u):
            let s = u
            guard kind == .object else { return true }
            var ok = true
            var key = v + 1
            for _ in 0..<tape.count(v) {
                defer { key = tape.next(key + 1) }
                var ignored = Annotations()
                // A member name is a string entry: validated as the instance itself.
                if !trial(s, key, collect: false, &ignored) {
                    ok = false
                    guard collectIssues else { return false }
                    let k = tape.makeString(key)
                    atLocation(.key(k)) { $0.report(node, "propertyNames", "field name \"\(k)\" is not allowed") }
                }
            }
            return ok

        case .items(let box):
            return box._withUnsafeGuaranteedRef { items($0, node, v, kind, collect, &ann) }

        case .contains(let box):
            return box._withUnsafeGuaranteedRef { contains($0, node, v, kind, collect, &ann) }

        case .objectCheck(let box):
            return box._withUnsafeGuaranteedRef { objectCheck($0.check, node, v, kind) }
        }
    }

    // MARK: Applicators

    // The payload is passed as a guaranteed reference: taken out of its
    // `Unmanaged` as a local, it would be retained for every instance value.

    private mutating func enumeration(_ e: EnumValues, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        let values = e.values
        if e.strings != nil, kind == .string {
            if e.containsString(tape.string(v)) { return true }
        } else if values.contains(where: { tape.equals(v, $0) }) {
            return true
        }
        if collectIssues {
            let shown = values.prefix(14).map { JSONWriter.string($0) }.joined(separator: ", ")
            let more = values.count > 14 ? ", … (\(values.count) values in all)" : ""
            if collectIssues { report(node, "enum", "\(subject) must be one of \(shown)\(more); got \(describe(v))") }
        }
        return false
    }

    private mutating func required(_ names: NameList, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        guard kind == .object else { return true }
        if names.count > 2 && names.count <= 64 {
            // One pass over the instance's members, each looked up among the
            // names, instead of a pass per name; the slow way below only
            // when one is missing, to name it.
            var seen: UInt64 = 0
            var key = v + 1
            for _ in 0..<tape.count(v) {
                if let k = names.position(tape.string(key), hash: tape.hash(key)) { seen |= 1 << UInt64(k) }
                key = tape.next(key + 1)
            }
            if seen == names.everyPosition { return true }
            guard collectIssues else { return false }
        }
        var ok = true
        for k in 0..<names.count where tape.member(v, named: names.bytes(k), hash: names.hashes[k]) == nil {
            ok = false
            guard collectIssues else { return false }
            let name = names.names[k]
            if collectIssues { report(node, "required", "missing required field \"\(name)\"\(fieldTitle(name, in: node).map { " (\($0))" } ?? "")") }
        }
        return ok
    }

    private mutating func allOf(_ list: NodeList, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        var ok = true
        for s in list.nodes where !evaluate(s, v, collect: collect, &ann) {
            ok = false
            if !collectIssues { return false }
        }
        return ok
    }

    private mutating func anyOf(_ list: NodeList, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        let subs = list.nodes
        var any = false
        for s in subs {
            if trial(s, v, collect: collect, &ann) {
                any = true
                if !collect { return true }
            }
        }
        if !any { reportBestBranch(node, "anyOf", subs, v, "\(subject) matches none of the \(subs.count) allowed forms") }
        return any
    }

    private mutating func oneOf(_ list: NodeList, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        let subs = list.nodes
        var passed: [Int] = []
        var branchAnn = Annotations()
        for (i, s) in subs.enumerated() {
            var a = Annotations()
            if trial(s, v, collect: collect, &a) {
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
            reportBestBranch(node, "oneOf", subs, v, "\(subject) matches none of the \(subs.count) allowed forms")
        } else {
            if collectIssues { report(node, "oneOf", "\(subject) matches more than one of the allowed forms (\(passed.map { "#\($0 + 1)" }.joined(separator: ", ")) of \(subs.count)); it must match exactly one") }
        }
        return false
    }

    private mutating func conditional(_ c: Conditional, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        var ifAnn = Annotations()
        if trial(c.ifNode, v, collect: collect, &ifAnn) {
            if collect { ann.merge(ifAnn) }
            guard let thenNode = c.thenNode else { return true }
            return evaluate(thenNode, v, collect: collect, &ann)
        } else {
            guard let elseNode = c.elseNode else { return true }
            return evaluate(elseNode, v, collect: collect, &ann)
        }
    }

    private mutating func members(_ m: Members, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        guard kind == .object else { return true }
        let tape = self.tape
        if m.patterns.isEmpty && m.additional == nil && m.names.count <= 4 {
            // A few names (typically an `if`): find each in the instance.
            var ok = true
            for k in 0..<m.names.count {
                guard let (i, value) = tape.member(v, named: m.names.bytes(k), hash: m.names.hashes[k]) else { continue }
                if collect { ann.properties.insert(i) }
                if !member(m.nodes[k], value - 1, node: node, keyword: .properties, &ann) {
                    ok = false
                    if !collectIssues { return false }
                }
            }
            return ok
        }
        let additional = m.additional
        var ok = true
        var key = v + 1
        for i in 0..<tape.count(v) {
            defer { key = tape.next(key + 1) }
            var matched = false
            if let s = m.properties.node(tape.string(key), hash: tape.hash(key)) {
                matched = true
                if !member(s, key, node: node, keyword: .properties, &ann) {
                    ok = false
                    if !collectIssues { return false }
                }
            }
            for (re, s) in m.patterns where re.matches(tape.string(key)) {
                matched = true
                if !member(s, key, node: node, keyword: .patternProperties, &ann) {
                    ok = false
                    if !collectIssues { return false }
                }
            }
            if !matched, let additional {
                if !member(additional, key, node: node, keyword: .additionalProperties, &ann) {
                    ok = false
                    if !collectIssues { return false }
                }
            } else if matched && collect {
                ann.properties.insert(i)
            }
        }
        if (ok || collectIssues) && collect && additional != nil { ann.allProperties = true }
        return ok
    }

    private mutating func items(_ box: Items, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        guard kind == .array else { return true }
        let a = items(v)
        let prefix = box.prefix, rest = box.rest
        var ok = true
        for i in 0..<min(prefix.count, a.count) where !item(prefix[i], i, a[i], &ann) {
            ok = false
            if !collectIssues { return false }
        }
        if let rest {
            for i in prefix.count..<max(prefix.count, a.count) where !item(rest, i, a[i], &ann) {
                ok = false
                if !collectIssues { return false }
            }
        }
        if (ok || collectIssues) && collect {
            ann.prefixItems = max(ann.prefixItems, min(prefix.count, a.count))
            if rest != nil { ann.allItems = true }
        }
        return ok
    }

    private mutating func contains(_ c: Contains, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind, _ collect: Bool, _ ann: inout Annotations) -> Bool {
        guard kind == .array else { return true }
        let a = items(v)
        let s = c.node, minCount = c.min, maxCount = c.max
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
                   "\(subject) must contain at least \(minCount) matching item\(minCount == 1 ? "" : "s")\(s.takeUnretainedValue().displayTitle.map { " (\($0))" } ?? ""); it has \(count)") }
            return false
        }
        if let maxCount, count > maxCount {
            if collectIssues { report(node, "maxContains", "\(subject) must contain at most \(maxCount) matching items; it has \(count)") }
            return false
        }
        if collect { ann.containsItems.formUnion(matchedIndexes) }
        return true
    }

    /// A vocabulary's check of a whole object; its findings are placed at the member they name.
    private mutating func objectCheck(_ check: any ObjectCheck, _ node: U<SchemaNode>, _ v: Int, _ kind: JSONTape.Kind) -> Bool {
        guard kind == .object else { return true }
        let object = ObjectView(tape: tape, index: v)
        guard collectIssues else { return check.check(object, title: { _ in nil }, findings: nil) }
        var found: [(String, String)] = []
        let ok = check.check(object, title: { fieldTitle($0, in: node) }, findings: { found.append(($0, $1)) })
        for (member, message) in found {
            atLocation(.key(member)) { $0.report(node, check.keyword, message) }
        }
        return ok
    }

    func matches(_ v: Int, _ t: TypeSet) -> Bool {
        switch tape.kind(v) {
        case .null: t.contains(.null)
        case .bool: t.contains(.boolean)
        case .int: t.contains(.integer) || t.contains(.number)
        case .double:
            t.contains(.number) || (t.contains(.integer) && tape.doubleValue(v).map { $0.rounded() == $0 && $0.isFinite } == true)
        case .string: t.contains(.string)
        case .array: t.contains(.array)
        case .object: t.contains(.object)
        }
    }

    /// The entries of an array's items.
    private func items(_ v: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(tape.count(v))
        var k = v + 1
        for _ in 0..<tape.count(v) {
            out.append(k)
            k = tape.next(k)
        }
        return out
    }

    /// Whether the object `v` has a member named `name`.
    private func has(_ v: Int, _ name: String) -> Bool {
        var name = name
        return name.withUTF8 { tape.member(v, named: $0, hash: KeyHash.of($0)) != nil }
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
