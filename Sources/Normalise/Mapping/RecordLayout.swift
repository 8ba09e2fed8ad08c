import JSON

/// The shape of the records a mapping makes, worked out once when it is
/// loaded: which object each field's value goes into, under which key. A row
/// is then built by filling the shape with its values, without comparing a
/// key or building a path per field. Keys are in canonical order (RFC 8785),
/// so that writing the record for its hash needs no sorting; an object none
/// of whose fields has a value is left out.
struct RecordLayout: Sendable {
    let root: Node

    final class Node: Sendable {
        let keys: [String]
        let hashes: [UInt32]
        let members: [Member]

        init(keys: [String], members: [Member]) {
            self.keys = keys
            hashes = keys.map(KeyHash.of)
            self.members = members
        }
    }

    enum Member: Sendable {
        /// The value of the field at this position of the mapping's fields.
        case field(Int)
        case object(Node)
        case constant(JSONValue)
    }

    /// Whether each field is a list: one value becomes a list of one.
    let lists: [Bool]

    /// `paths`: each field's path, in the mapping's order.
    init(recordType: String, paths: [[String]], lists: [Bool]) {
        root = Self.node(["type"], [.constant(.string(recordType))], paths.enumerated().map { ($0.element[...], $0.offset) })
        self.lists = lists
    }

    private static func node(_ keys: [String], _ members: [Member], _ fields: [(path: ArraySlice<String>, index: Int)]) -> Node {
        var keys = keys, members = members
        // Children by first key, in order of first appearance.
        var nested: [String: [(ArraySlice<String>, Int)]] = [:]
        for (path, index) in fields {
            guard let first = path.first else { continue }
            if path.count == 1 {
                if let i = keys.firstIndex(of: first) { members[i] = .field(index) } else { keys.append(first); members.append(.field(index)) }
            } else {
                if !keys.contains(first) { keys.append(first); members.append(.object(Node(keys: [], members: []))) }
                nested[first, default: []].append((path.dropFirst(), index))
            }
        }
        for (i, key) in keys.enumerated() {
            guard let inner = nested[key] else { continue }
            members[i] = .object(node([], [], inner))
        }
        let order = keys.indices.sorted { keys[$0].utf16.lexicographicallyPrecedes(keys[$1].utf16) }
        return Node(keys: order.map { keys[$0] }, members: order.map { members[$0] })
    }

    /// The record for `values` (one per field, empty where the field has none),
    /// each turned into JSON as it is placed.
    func build(_ values: [MappedValue]) -> JSONValue {
        build(root, values) ?? .object(JSONObject())
    }

    private func value(_ f: Int, _ values: [MappedValue]) -> JSONValue? {
        if values[f].isEmpty { return nil }
        let json = values[f].json
        if lists[f], case .array = json {} else if lists[f] { return .array([json]) }
        return json
    }

    private func build(_ node: Node, _ values: [MappedValue]) -> JSONValue? {
        var out: [JSONValue] = []
        out.reserveCapacity(node.keys.count)
        // Which members have a value, while every one so far has: then the
        // node's own key and hash lists are shared, not copied key by key.
        var present: [Int]?
        for i in node.members.indices {
            let value: JSONValue? = switch node.members[i] {
            case .field(let f): value(f, values)
            case .object(let child): build(child, values)
            case .constant(let c): c
            }
            guard let value else {
                if present == nil {
                    present = Array(0..<i)
                    present!.reserveCapacity(node.keys.count)
                }
                continue
            }
            present?.append(i)
            out.append(value)
        }
        guard !out.isEmpty else { return nil }
        // The node's keys are sorted (RFC 8785), and so is any subset of them.
        guard let present else { return .object(JSONObject(keys: node.keys, values: out, hashes: node.hashes, inCanonicalOrder: true)) }
        return .object(JSONObject(keys: present.map { node.keys[$0] }, values: out, hashes: present.map { node.hashes[$0] }, inCanonicalOrder: true))
    }
}
