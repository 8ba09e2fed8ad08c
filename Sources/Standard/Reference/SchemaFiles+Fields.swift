extension SchemaFiles {
    /// A field of an object schema as written: its path (`party.name`,
    /// `materials[].kind`), whether its object requires it, and the schema
    /// with its `$ref` chain followed.
    struct Field {
        var path: String
        var required: Bool
        var schema: Located
        var resolved: Resolved
    }

    /// The fields of an object schema and of what its `allOf` brings in,
    /// nested objects and lists of objects flattened into paths. `skipCommon`
    /// leaves out the fields every record carries (`common.json#/$defs/record`).
    func fields(of schema: Located, prefix: String = "", skipCommon: Bool = false, depth: Int = 0) -> [Field] {
        var out: [Field] = []
        var required: Set<String> = []
        var properties: [(String, Located)] = []
        var seen: Set<String> = []
        func collect(_ s: Located) {
            let r = follow(s)
            for link in r.chain {
                for req in link["required"]?.arrayValue ?? [] { if let n = req.stringValue { required.insert(n) } }
                for (name, value) in link["properties"]?.objectValue?.members.map({ $0 }) ?? [] where seen.insert(name).inserted {
                    properties.append((name, Located(file: link.file, value: value)))
                }
                for part in link["allOf"]?.arrayValue ?? [] {
                    if skipCommon, part["$ref"]?.stringValue == "common.json#/$defs/record" { continue }
                    collect(Located(file: link.file, value: part))
                }
            }
        }
        collect(schema)
        if skipCommon, let record = resolve("common.json#/$defs/record", from: "common.json") {
            let common = Set(record["properties"]?.objectValue?.keys ?? [])
            properties.removeAll { common.contains($0.0) }
        }
        for (name, sub) in properties where name != "$schema" || prefix.isEmpty {
            let r = follow(sub)
            let path = prefix + name
            out.append(Field(path: path, required: required.contains(name), schema: sub, resolved: r))
            guard depth < 6 else { continue }
            if isObject(r) {
                out += fields(of: sub, prefix: path + ".", depth: depth + 1)
            } else if let items = itemSchema(r), isObject(follow(items)) {
                out += fields(of: items, prefix: path + "[].", depth: depth + 1)
            }
        }
        return out
    }

    /// An object schema with fields of its own.
    func isObject(_ r: Resolved) -> Bool {
        r.keyword("type")?.stringValue == "object" && r.chain.contains { $0["properties"] != nil }
    }

    /// The `items` schema of a list, located in the file that declares it.
    func itemSchema(_ r: Resolved) -> Located? {
        guard r.keyword("type")?.stringValue == "array", let owner = r.chain.first(where: { $0["items"] != nil }), let items = owner["items"] else { return nil }
        return Located(file: owner.file, value: items)
    }
}
