/// Collects the JSON Pointers of fields marked `x-personal`, following `$ref`s
/// and in-place applicators, so masking never depends on a hand-kept list.
enum PersonalFieldFinder {
    static func find(in schema: JSONSchema) -> [PersonalField] {
        var found: [PersonalField] = []
        var visited: Set<String> = []
        walk(schema.root, path: "", into: &found, visited: &visited)
        return found
    }

    private static func walk(_ node: SchemaNode, path: String, into found: inout [PersonalField], visited: inout Set<String>) {
        let key = "\(ObjectIdentifier(node).hashValue)|\(path)"
        guard visited.insert(key).inserted, path.split(separator: "/").count < 12 else { return }
        if node.personal && !path.isEmpty {
            let field = PersonalField(pointer: path, onlyForNaturalPerson: node.personalOnlyForNaturalPerson)
            if !found.contains(field) { found.append(field) }
        }
        for kw in node.keywords {
            switch kw {
            case .ref(let r):
                walk(r.takeUnretainedValue(), path: path, into: &found, visited: &visited)
            case .dynamicRef(let r):
                if let t = r.takeUnretainedValue().target { walk(t, path: path, into: &found, visited: &visited) }
            case .allOf(let subs), .anyOf(let subs), .oneOf(let subs):
                for s in subs.takeUnretainedValue().nodes { walk(s.takeUnretainedValue(), path: path, into: &found, visited: &visited) }
            case .conditional(let box):
                let c = box.takeUnretainedValue()
                if let t = c.thenNode { walk(t.takeUnretainedValue(), path: path, into: &found, visited: &visited) }
                if let e = c.elseNode { walk(e.takeUnretainedValue(), path: path, into: &found, visited: &visited) }
            case .members(let box):
                let m = box.takeUnretainedValue()
                for (k, s) in zip(m.names.names, m.nodes) {
                    walk(s.takeUnretainedValue(), path: path + "/" + JSONPointer.escape(k), into: &found, visited: &visited)
                }
                if let a = m.additional { walk(a.takeUnretainedValue(), path: path + "/*", into: &found, visited: &visited) }
            case .items(let box):
                let items = box.takeUnretainedValue()
                for (i, s) in items.prefix.enumerated() { walk(s.takeUnretainedValue(), path: path + "/\(i)", into: &found, visited: &visited) }
                if let rest = items.rest { walk(rest.takeUnretainedValue(), path: path + "/*", into: &found, visited: &visited) }
            default:
                continue
            }
        }
    }
}
