import JSON

/// Turns schema documents from a `SchemaRegistry` into `SchemaNode` trees once,
/// resolving every `$ref` up front so that validation never touches the registry.
final class SchemaCompiler {
    typealias Location = SchemaRegistry.Location

    private let registry: SchemaRegistry
    private let options: ValidatorOptions
    private var cache: [Location: SchemaNode] = [:]
    private var vocabularyCache: [Int: Vocabularies] = [:]
    private var touchedResources: Set<Int> = []

    init(registry: SchemaRegistry, options: ValidatorOptions) {
        self.registry = registry
        self.options = options
    }

    /// Compiles the schema a URI (with optional fragment) names.
    func compile(uri: String) throws -> JSONSchema {
        try finish([(uri, try root(uri: uri))])[0]
    }

    /// Compiles the root of the schema a URI names, reusing every node this
    /// compiler made before: schemas compiled together share what they refer
    /// to (the envelope refers to every record type, each type to
    /// `common.json`), compiled once. `finish` then makes them usable.
    func root(uri: String) throws -> SchemaNode {
        try compileNode(at: registry.resolve(uri, base: uri))
    }

    /// The schemas of the roots compiled so far, which share all nodes; once
    /// per compiler, as it settles every node (frozen, `$ref`s forwarded).
    func finish(_ roots: [(uri: String, node: SchemaNode)]) throws -> [JSONSchema] {
        // Every resource that can be in the dynamic scope gets its dynamic anchors compiled now.
        var dynamic: [Int: [String: SchemaNode]] = [:]
        var done: Set<Int> = []
        while let r = touchedResources.subtracting(done).first {
            done.insert(r)
            for (name, loc) in registry.resources[r].dynamicAnchors {
                dynamic[r, default: [:]][name] = try compileNode(at: loc)
            }
        }
        // Without $dynamicRef the dynamic scope never matters: nodes that are only a
        // $ref can then be passed through directly.
        let nodes = Array(cache.values)
        for n in nodes { n.freeze() }
        let dynamicScope = nodes.contains { n in
            n.keywords.contains { if case .dynamicRef(let r) = $0 { r.takeUnretainedValue().dynamicAnchor != nil } else { false } }
        }
        if !dynamicScope {
            for n in nodes where n.keywords.count == 1 && n.unevaluatedProperties == nil && n.unevaluatedItems == nil {
                if case .ref(let r) = n.keywords[0] { n.forward = r }
            }
        }
        return roots.map { JSONSchema(root: $0.node, dynamicAnchors: dynamic, uri: $0.uri, nodes: nodes, tracksDynamicScope: dynamicScope) }
    }

    private func locationString(_ loc: Location, resource: Int) -> String {
        let res = registry.resources[resource]
        let rel = loc.pointer.hasPrefix(res.location.pointer) && res.location.doc == loc.doc
            ? String(loc.pointer.dropFirst(res.location.pointer.count)) : loc.pointer
        return res.uri + "#" + rel
    }

    private func compileNode(at loc: Location) throws -> SchemaNode {
        if let n = cache[loc] { return n }
        guard let raw = registry.value(at: loc) else {
            throw SchemaError.invalidSchema("nothing at this location", at: registry.documents[loc.doc].uri + "#" + loc.pointer)
        }
        let res = registry.resource(of: loc)
        let node = SchemaNode(location: locationString(loc, resource: res), resource: res)
        cache[loc] = node
        touchedResources.insert(res)
        switch raw {
        case .bool(let b):
            node.constant = b
            return node
        case .object(let obj):
            try fill(node, from: obj, at: loc, resource: res)
            return node
        default:
            throw SchemaError.invalidSchema("a schema must be an object or true/false, found \(raw.typeName)", at: node.location)
        }
    }

    private func child(_ loc: Location, _ path: String...) throws -> SchemaNode {
        try compileNode(at: Location(doc: loc.doc, pointer: loc.pointer + path.map { "/" + JSONPointer.escape($0) }.joined()))
    }

    private func vocabularies(_ res: Int) throws -> Vocabularies {
        if let v = vocabularyCache[res] { return v }
        let resource = registry.resources[res]
        let extensions = options.vocabularies.map(\.uri)
        var result = Vocabularies(extensions: extensions)
        if case .string(let meta)? = registry.value(at: resource.location)?["$schema"] {
            let uri = URIReference(meta).withoutFragment.string
            if uri == "https://json-schema.org/draft/2020-12/schema" || uri.hasPrefix("http://json-schema.org/") || uri.hasPrefix("https://json-schema.org/draft/2019-09/") {
                result = Vocabularies(extensions: extensions)
            } else {
                guard let doc = try registry.document(uri: uri) else { throw SchemaError.unknownMetaschema(meta) }
                if case .object(let declared)? = doc["$vocabulary"] {
                    result = try Vocabularies(declared: declared, extensions: extensions)
                }
            }
        } else if let parent = resource.parent {
            result = try vocabularies(parent)
        }
        vocabularyCache[res] = result
        return result
    }

    private func fill(_ node: SchemaNode, from obj: JSONObject, at loc: Location, resource res: Int) throws {
        let vocab = try vocabularies(res)
        let base = registry.resources[res].uri
        let here = node.location

        func integer(_ key: String) throws -> Int? {
            guard let v = obj[key] else { return nil }
            guard let i = v.intValue, i >= 0 else { throw SchemaError.invalidSchema("\(key) must be a non-negative integer", at: here) }
            return Int(i)
        }
        func number(_ key: String) throws -> Double? {
            guard let v = obj[key] else { return nil }
            guard let d = v.doubleValue else { throw SchemaError.invalidSchema("\(key) must be a number", at: here) }
            return d
        }
        func schemaArray(_ key: String) throws -> [SchemaNode]? {
            guard case .array(let a)? = obj[key] else { return nil }
            return try a.indices.map { try child(loc, key, String($0)) }
        }

        node.title = obj["title"]?.stringValue
        var checks: [any ObjectCheck] = []
        for (i, vocabulary) in options.vocabularies.enumerated() where vocab.extensionIsOn(i) {
            let said: VocabularyKeywords?
            do { said = try vocabulary.compile(obj) } catch { throw SchemaError.invalidSchema(error.message, at: here) }
            guard let said else { continue }
            if let mask = said.mask { node.mask = mask; node.maskLabel = said.maskLabel }
            if let rule = said.rule { node.rule = rule }
            checks += said.checks
        }

        var kws: [Keyword] = []
        if case .string(let ref)? = obj["$ref"] {
            kws.append(.ref(.passUnretained(try compileNode(at: registry.resolve(ref, base: base)))))
        }
        if case .string(let ref)? = obj["$dynamicRef"] {
            let t = RefTarget()
            let target = try registry.resolve(ref, base: base)
            t.target = try compileNode(at: target)
            if let fragment = URIReference(ref).fragment, !fragment.isEmpty, !fragment.hasPrefix("/"),
               case .string(let anchor)? = registry.value(at: target)?["$dynamicAnchor"], anchor == fragment {
                t.dynamicAnchor = fragment
            }
            kws.append(.dynamicRef(node.keep(t)))
        }

        if vocab.validation {
            if let t = obj["type"] {
                var set = TypeSet()
                let names: [JSONValue] = t.arrayValue ?? [t]
                for n in names {
                    guard let s = n.stringValue, let ts = TypeSet(name: s) else {
                        throw SchemaError.invalidSchema("unknown type \(JSONWriter.string(n))", at: here)
                    }
                    set.formUnion(ts)
                }
                kws.append(.type(set))
            }
            if case .array(let values)? = obj["enum"] {
                kws.append(.enumeration(node.keep(EnumValues(values))))
            }
            if let c = obj["const"] { kws.append(.const(node.keep(ValueBox(c)))) }
            if let m = obj["multipleOf"] {
                guard let d = m.doubleValue, d > 0 else { throw SchemaError.invalidSchema("multipleOf must be a number above 0", at: here) }
                kws.append(.multipleOf(node.keep(ValueBox(m))))
            }
            if let v = try number("maximum") { kws.append(.maximum(v, exclusive: false)) }
            if let v = try number("exclusiveMaximum") { kws.append(.maximum(v, exclusive: true)) }
            if let v = try number("minimum") { kws.append(.minimum(v, exclusive: false)) }
            if let v = try number("exclusiveMinimum") { kws.append(.minimum(v, exclusive: true)) }
            if let v = try integer("maxLength") { kws.append(.maxLength(v)) }
            if let v = try integer("minLength") { kws.append(.minLength(v)) }
            if case .string(let p)? = obj["pattern"] {
                do { kws.append(.pattern(node.keep(try ECMARegex(p)))) } catch {
                    throw SchemaError.invalidSchema("pattern \"\(p)\" is not a valid regular expression", at: here)
                }
            }
            if let v = try integer("maxItems") { kws.append(.maxItems(v)) }
            if let v = try integer("minItems") { kws.append(.minItems(v)) }
            if case .bool(true)? = obj["uniqueItems"] { kws.append(.uniqueItems) }
            if let v = try integer("maxProperties") { kws.append(.maxProperties(v)) }
            if let v = try integer("minProperties") { kws.append(.minProperties(v)) }
            if case .array(let r)? = obj["required"] {
                kws.append(.required(node.keep(NameList(r.compactMap(\.stringValue)))))
            }
            if case .object(let d)? = obj["dependentRequired"] {
                kws.append(.dependentRequired(node.keep(DependentNames(d.members.map { ($0, $1.arrayValue?.compactMap(\.stringValue) ?? []) }))))
            }
        }
        if case .string(let f)? = obj["format"], vocab.formatAssertion || options.assertFormats,
           let check = options.formats[f] {
            kws.append(.format(node.keep(FormatBox(f, check))))
        }
        if vocab.applicator {
            if let s = try schemaArray("allOf") { kws.append(.allOf(node.keep(NodeList(s)))) }
            if let s = try schemaArray("anyOf") { kws.append(.anyOf(node.keep(NodeList(s)))) }
            if let s = try schemaArray("oneOf") { kws.append(.oneOf(node.keep(NodeList(s)))) }
            if obj["not"] != nil { kws.append(.not(.passUnretained(try child(loc, "not")))) }
            if obj["if"] != nil {
                kws.append(.conditional(node.keep(Conditional(
                    try child(loc, "if"),
                    obj["then"] != nil ? try child(loc, "then") : nil,
                    obj["else"] != nil ? try child(loc, "else") : nil))))
            }
            if case .object(let d)? = obj["dependentSchemas"] {
                kws.append(.dependentSchemas(node.keep(DependentNodes(try d.keys.map { ($0, try child(loc, "dependentSchemas", $0)) }))))
            }
            var props: [String: SchemaNode] = [:]
            var patterns: [(ECMARegex, SchemaNode)] = []
            if case .object(let p)? = obj["properties"] {
                for k in p.keys { props[k] = try child(loc, "properties", k) }
            }
            if case .object(let p)? = obj["patternProperties"] {
                for k in p.keys {
                    guard let re = try? ECMARegex(k) else {
                        throw SchemaError.invalidSchema("patternProperties key \"\(k)\" is not a valid regular expression", at: here)
                    }
                    patterns.append((re, try child(loc, "patternProperties", k)))
                }
            }
            let additional = obj["additionalProperties"] != nil ? try child(loc, "additionalProperties") : nil
            if !props.isEmpty || !patterns.isEmpty || additional != nil {
                kws.append(.members(node.keep(Members(props, patterns, additional))))
            }
            if obj["propertyNames"] != nil { kws.append(.propertyNames(.passUnretained(try child(loc, "propertyNames")))) }
            let prefix = try schemaArray("prefixItems") ?? []
            let rest = obj["items"] != nil ? try child(loc, "items") : nil
            if !prefix.isEmpty || rest != nil { kws.append(.items(node.keep(Items(prefix, rest)))) }
            if obj["contains"] != nil {
                let minC = vocab.validation ? try integer("minContains") ?? 1 : 1
                let maxC = vocab.validation ? try integer("maxContains") : nil
                kws.append(.contains(node.keep(Contains(try child(loc, "contains"), minC, maxC))))
            }
        }
        if vocab.unevaluated {
            if obj["unevaluatedProperties"] != nil { node.unevaluatedProperties = .passUnretained(try child(loc, "unevaluatedProperties")) }
            if obj["unevaluatedItems"] != nil { node.unevaluatedItems = .passUnretained(try child(loc, "unevaluatedItems")) }
        }
        for check in checks { kws.append(.objectCheck(node.keep(CheckBox(check)))) }
        node.keywords = kws
    }
}
