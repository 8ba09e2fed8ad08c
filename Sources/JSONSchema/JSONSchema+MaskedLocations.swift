import JSON

/// Where an instance holds values that a vocabulary masks: a JSON Pointer
/// (`*` for any member or item) and the vocabulary's label.
public struct MaskedLocation: Sendable, Equatable {
    public var pointer: String
    public var label: String?

    public init(pointer: String, label: String?) {
        self.pointer = pointer
        self.label = label
    }
}

extension JSONSchema {
    /// The instance locations whose values are masked, following `$ref`s and
    /// in-place applicators, so a masking list is read from the schema, never
    /// kept by hand.
    public func maskedLocations() -> [MaskedLocation] {
        var found: [MaskedLocation] = []
        var visited: Set<String> = []
        MaskedLocations.walk(root, path: "", into: &found, visited: &visited)
        return found
    }
}

enum MaskedLocations {
    static func walk(_ node: SchemaNode, path: String, into found: inout [MaskedLocation], visited: inout Set<String>) {
        let key = "\(ObjectIdentifier(node).hashValue)|\(path)"
        guard visited.insert(key).inserted, path.split(separator: "/").count < 12 else { return }
        if node.masksValues && !path.isEmpty {
            let location = MaskedLocation(pointer: path, label: node.maskLabel)
            if !found.contains(location) { found.append(location) }
        }
        for kw in node.keywords {
            switch kw {
            case .ref(let r):
                MaskedLocations.walk(r.takeUnretainedValue(), path: path, into: &found, visited: &visited)
            case .dynamicRef(let r):
                if let t = r.takeUnretainedValue().target { MaskedLocations.walk(t, path: path, into: &found, visited: &visited) }
            case .allOf(let subs), .anyOf(let subs), .oneOf(let subs):
                for s in subs.takeUnretainedValue().nodes { MaskedLocations.walk(s.takeUnretainedValue(), path: path, into: &found, visited: &visited) }
            case .conditional(let box):
                let c = box.takeUnretainedValue()
                if let t = c.thenNode { MaskedLocations.walk(t.takeUnretainedValue(), path: path, into: &found, visited: &visited) }
                if let e = c.elseNode { MaskedLocations.walk(e.takeUnretainedValue(), path: path, into: &found, visited: &visited) }
            case .members(let box):
                let m = box.takeUnretainedValue()
                for (k, s) in zip(m.names.names, m.nodes) {
                    MaskedLocations.walk(s.takeUnretainedValue(), path: path + "/" + JSONPointer.escape(k), into: &found, visited: &visited)
                }
                if let a = m.additional { MaskedLocations.walk(a.takeUnretainedValue(), path: path + "/*", into: &found, visited: &visited) }
            case .items(let box):
                let items = box.takeUnretainedValue()
                for (i, s) in items.prefix.enumerated() { MaskedLocations.walk(s.takeUnretainedValue(), path: path + "/\(i)", into: &found, visited: &visited) }
                if let rest = items.rest { MaskedLocations.walk(rest.takeUnretainedValue(), path: path + "/*", into: &found, visited: &visited) }
            default:
                continue
            }
        }
    }
}
