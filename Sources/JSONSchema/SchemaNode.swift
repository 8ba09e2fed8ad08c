import Foundation
import JSON

/// A compiled subschema. Built once by `SchemaCompiler`, then only read, so one
/// compiled schema serves any number of validating threads.
final class SchemaNode: @unchecked Sendable {
    /// Absolute location, "uri#/pointer": the base of keyword locations in findings.
    let location: String
    /// Index of the schema resource it belongs to (for `$dynamicRef` scope).
    let resource: Int
    /// Set for boolean schemas (`true` / `false`).
    var constant: Bool?
    var keywords: [Keyword] = []
    /// Chinese field name (`title`), shown in messages.
    var title: String? { didSet { hasTitle = title != nil } }
    /// Flags read on every visit, so the strings above need not be loaded.
    private(set) var hasTitle = false
    private(set) var hasRule = false
    var needsAnnotations: Bool { unevaluatedProperties != nil || unevaluatedItems != nil }
    private(set) var collectsAnnotations = false
    /// How values here are shown in findings (a vocabulary's masking of
    /// personal information); nil shows them as they are.
    var mask: (@Sendable (String) -> String)? { didSet { masksValues = mask != nil } }
    private(set) var masksValues = false
    /// The vocabulary's label for this masked location (`maskedLocations()`).
    var maskLabel: String?
    /// A vocabulary's rule, quoted when something below this subschema fails.
    var rule: String? { didSet { hasRule = rule != nil } }
    // Unmanaged rather than unowned: reading an unowned reference retains it.
    var unevaluatedProperties: U<SchemaNode>?
    var unevaluatedItems: U<SchemaNode>?
    /// Set when the node is only a `$ref` (plus title or annotations): evaluation
    /// goes straight on to the target instead of opening a frame for this node.
    var forward: U<SchemaNode>?
    /// Keeps the keyword boxes alive: keywords refer to them unretained.
    var boxes: [AnyObject] = []

    /// Wraps a keyword payload, keeping it alive for as long as this node.
    func keep<T: AnyObject>(_ box: T) -> Unmanaged<T> {
        boxes.append(box)
        return .passUnretained(box)
    }

    /// The keywords as a plain buffer, made by `freeze()` once compiling is done:
    /// keywords are trivially copyable, so the hot loop reads them without
    /// touching any reference count.
    private(set) var keywordBuffer = UnsafeMutableBufferPointer<Keyword>(start: nil, count: 0)

    init(location: String, resource: Int) {
        self.location = location
        self.resource = resource
    }

    func freeze() {
        collectsAnnotations = needsAnnotations
        keywordBuffer.deallocate()
        keywordBuffer = .allocate(capacity: keywords.count)
        _ = keywordBuffer.initialize(from: keywords)
    }

    deinit { keywordBuffer.deallocate() }

    /// A title to name this field by: its own, or the one of the schema it refers to.
    var displayTitle: String? {
        if let title { return title }
        for k in keywords {
            if case .ref(let r) = k { return r.takeUnretainedValue().displayTitle }
        }
        return nil
    }
}

/// Holds a `$ref` target; filled when the target is compiled, which may be later
/// than the referring node because references can be cyclic.
final class RefTarget: @unchecked Sendable {
    unowned(unsafe) var target: SchemaNode?
    /// For `$dynamicRef`: the dynamic anchor name to look up in the dynamic scope.
    var dynamicAnchor: String?
}

struct TypeSet: OptionSet {
    let rawValue: UInt8
    static let null = TypeSet(rawValue: 1)
    static let boolean = TypeSet(rawValue: 2)
    static let object = TypeSet(rawValue: 4)
    static let array = TypeSet(rawValue: 8)
    static let number = TypeSet(rawValue: 16)
    static let string = TypeSet(rawValue: 32)
    static let integer = TypeSet(rawValue: 64)

    init(rawValue: UInt8) { self.rawValue = rawValue }
    init?(name: String) {
        switch name {
        case "null": self = .null
        case "boolean": self = .boolean
        case "object": self = .object
        case "array": self = .array
        case "number": self = .number
        case "string": self = .string
        case "integer": self = .integer
        default: return nil
        }
    }

    var names: [String] {
        var n: [String] = []
        if contains(.string) { n.append("string") }
        if contains(.integer) { n.append("integer") }
        if contains(.number) { n.append("number") }
        if contains(.object) { n.append("object") }
        if contains(.array) { n.append("array") }
        if contains(.boolean) { n.append("boolean") }
        if contains(.null) { n.append("null") }
        return n
    }
}

/// An unretained reference to a compiled part. The compiled schema owns every
/// node and keyword box, so validation can follow these without reference
/// counting, which would otherwise dominate the hot path and make cores contend.
typealias U<T: AnyObject> = Unmanaged<T>

final class NodeList { let nodes: [U<SchemaNode>]; init(_ n: [SchemaNode]) { nodes = n.map { .passUnretained($0) } } }
final class ValueBox {
    let value: JSONValue
    /// A string value's UTF-8 bytes: compared in place (most `const`s are the
    /// record type named in an `if`, tried against every record).
    let string: [UInt8]?
    init(_ v: JSONValue) { value = v; string = v.stringValue.map { Array($0.utf8) } }
}
final class EnumValues {
    let values: [JSONValue]
    /// The UTF-8 bytes of each value when every value is a string. Matching by
    /// length and bytes beats hashing: Swift hashes non-ASCII strings (every
    /// Chinese code-list label) in normalised form, at ~1,000 instructions each.
    let strings: [[UInt8]]?
    init(_ values: [JSONValue]) {
        self.values = values
        strings = values.allSatisfy { $0.stringValue != nil } ? values.map { Array($0.stringValue!.utf8) } : nil
    }

    /// Whether the string `u` is one of the string values, by code points.
    func containsString(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let strings else { return false }
        for candidate in strings where candidate.count == u.count {
            if candidate.withUnsafeBufferPointer({ JSONTapeView.same($0, u) }) { return true }
        }
        return false
    }
}
final class FormatBox { let name: String; let check: FormatCheck; init(_ n: String, _ c: @escaping FormatCheck) { name = n; check = c } }
/// Names looked up among an instance's member names: their UTF-8 bytes in
/// one buffer, with the same hash the parser stores with each member name,
/// so a lookup copies nothing and counts no references. Also a table by hash
/// (open addressing), for finding an instance's member among the names.
final class NameList {
    let names: [String]
    let hashes: [UInt32]
    private let storage: UnsafeMutableBufferPointer<UInt8>
    private let bounds: [Range<Int>]
    private let slots: [Int32]
    private let mask: Int

    init(_ names: [String]) {
        self.names = names
        hashes = names.map(KeyHash.of)
        let all = names.flatMap { Array($0.utf8) }
        storage = .allocate(capacity: max(1, all.count))
        _ = storage.initialize(from: all)
        var b: [Range<Int>] = [], at = 0
        for n in names {
            b.append(at..<at + n.utf8.count)
            at += n.utf8.count
        }
        bounds = b
        var size = 4
        while size < names.count * 2 { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        for i in 0..<names.count {
            var j = Int(hashes[i]) & (size - 1)
            while slots[j] >= 0 { j = (j + 1) & (size - 1) }
            slots[j] = Int32(i)
        }
        self.slots = slots
        mask = size - 1
        var firsts: UInt64 = 0
        for i in 0..<min(64, names.count) where names.firstIndex(of: names[i]) == i { firsts |= 1 << UInt64(i) }
        everyPosition = firsts
    }

    deinit { storage.deallocate() }

    /// The bit of each name's `position` (the first 64 names): all set when
    /// an instance has every name.
    let everyPosition: UInt64

    var count: Int { names.count }

    @inline(__always) func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: storage[bounds[i]])
    }

    /// Which of the names `name` is (the first, if listed twice).
    @inline(__always) func position(_ name: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int? {
        var j = Int(hash) & mask
        while true {
            let e = slots[j]
            if e < 0 { return nil }
            let k = Int(e)
            if hashes[k] == hash && JSONTapeView.same(bytes(k), name) { return k }
            j = (j + 1) & mask
        }
    }
}
final class DependentNames { let deps: [(String, [String])]; init(_ d: [(String, [String])]) { deps = d } }
final class DependentNodes { let deps: [(String, U<SchemaNode>)]; init(_ d: [(String, SchemaNode)]) { deps = d.map { ($0, .passUnretained($1)) } } }
final class Conditional {
    let ifNode: U<SchemaNode>
    let thenNode: U<SchemaNode>?
    let elseNode: U<SchemaNode>?
    init(_ i: SchemaNode, _ t: SchemaNode?, _ e: SchemaNode?) {
        ifNode = .passUnretained(i); thenNode = t.map { .passUnretained($0) }; elseNode = e.map { .passUnretained($0) }
    }
}
final class Members {
    let properties: PropertyTable
    /// The same properties as a list (names sorted, `nodes` alike), for small
    /// schemas where scanning the instance for each name beats looking up
    /// every member of the instance.
    let names: NameList
    let nodes: [U<SchemaNode>]
    let patterns: [(ECMARegex, U<SchemaNode>)]
    let additional: U<SchemaNode>?
    init(_ p: [String: SchemaNode], _ pat: [(ECMARegex, SchemaNode)], _ a: SchemaNode?) {
        let sorted = p.sorted { $0.key < $1.key }
        names = NameList(sorted.map(\.key))
        nodes = sorted.map { .passUnretained($0.value) }
        properties = PropertyTable(names, nodes)
        patterns = pat.map { ($0, .passUnretained($1)) }; additional = a.map { .passUnretained($0) }
    }
}
final class Items {
    let prefix: [U<SchemaNode>]
    let rest: U<SchemaNode>?
    init(_ p: [SchemaNode], _ r: SchemaNode?) { prefix = p.map { .passUnretained($0) }; rest = r.map { .passUnretained($0) } }
}
final class Contains {
    let node: U<SchemaNode>
    let min: Int
    let max: Int?
    init(_ n: SchemaNode, _ min: Int, _ max: Int?) { node = .passUnretained(n); self.min = min; self.max = max }
}
final class CheckBox { let check: any ObjectCheck; init(_ c: any ObjectCheck) { check = c } }

/// Property name → subschema, keyed by the hash the parser stores with each
/// member name, so a lookup hashes nothing.
final class PropertyTable {
    private let names: NameList
    private let nodes: [U<SchemaNode>]

    init(_ names: NameList, _ nodes: [U<SchemaNode>]) {
        self.names = names
        self.nodes = nodes
    }

    var isEmpty: Bool { nodes.isEmpty }

    @inline(__always) func node(_ name: UnsafeBufferPointer<UInt8>, hash: UInt32) -> U<SchemaNode>? {
        names.position(name, hash: hash).map { nodes[$0] }
    }

    func node(_ name: String) -> U<SchemaNode>? {
        var name = name
        return name.withUTF8 { node($0, hash: KeyHash.of($0)) }
    }
}

/// One compiled keyword. Payloads are unretained references or plain values,
/// so copying a keyword costs nothing. Object and array applicators are grouped
/// so an instance's members or items are walked once.
enum Keyword {
    /// The target node itself: it exists (maybe still being filled) when the ref is compiled.
    case ref(U<SchemaNode>)
    case dynamicRef(U<RefTarget>)
    case type(TypeSet)
    case enumeration(U<EnumValues>)
    case const(U<ValueBox>)
    case multipleOf(U<ValueBox>)
    case maximum(Double, exclusive: Bool)
    case minimum(Double, exclusive: Bool)
    case maxLength(Int)
    case minLength(Int)
    case pattern(U<ECMARegex>)
    case format(U<FormatBox>)
    case maxItems(Int)
    case minItems(Int)
    case uniqueItems
    case maxProperties(Int)
    case minProperties(Int)
    case required(U<NameList>)
    case dependentRequired(U<DependentNames>)
    case allOf(U<NodeList>)
    case anyOf(U<NodeList>)
    case oneOf(U<NodeList>)
    case not(U<SchemaNode>)
    case conditional(U<Conditional>)
    case dependentSchemas(U<DependentNodes>)
    case members(U<Members>)
    case propertyNames(U<SchemaNode>)
    case items(U<Items>)
    case contains(U<Contains>)
    /// Hutong rule: pairs of date fields where the first must not be later than the second.
    case objectCheck(U<CheckBox>)
}
