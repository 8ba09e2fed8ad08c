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
            case .ref(let r), .dynamicRef(let r):
                if let t = r.target { walk(t, path: path, into: &found, visited: &visited) }
            case .allOf(let subs), .anyOf(let subs), .oneOf(let subs):
                for s in subs { walk(s, path: path, into: &found, visited: &visited) }
            case .conditional(_, let t, let e):
                if let t { walk(t, path: path, into: &found, visited: &visited) }
                if let e { walk(e, path: path, into: &found, visited: &visited) }
            case .members(let props, _, let additional):
                for (k, s) in props.sorted(by: { $0.key < $1.key }) {
                    walk(s, path: path + "/" + JSONPointer.escape(k), into: &found, visited: &visited)
                }
                if let additional { walk(additional, path: path + "/*", into: &found, visited: &visited) }
            case .items(let prefix, let rest):
                for (i, s) in prefix.enumerated() { walk(s, path: path + "/\(i)", into: &found, visited: &visited) }
                if let rest { walk(rest, path: path + "/*", into: &found, visited: &visited) }
            default:
                continue
            }
        }
    }
}
