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
    var title: String?
    /// `x-personal`: values here are personal information and are masked in messages.
    var personal = false
    /// `x-personal: "natural-person"`: personal only when the enclosing party is a 自然人.
    var personalOnlyForNaturalPerson = false
    /// `x-rule`: the business rule this subschema states, quoted when it fails.
    var rule: String?
    var unevaluatedProperties: SchemaNode?
    var unevaluatedItems: SchemaNode?

    init(location: String, resource: Int) {
        self.location = location
        self.resource = resource
    }

    /// A title to name this field by: its own, or the one of the schema it refers to.
    var displayTitle: String? {
        if let title { return title }
        for k in keywords {
            if case .ref(let r) = k { return r.target?.displayTitle }
        }
        return nil
    }
}

/// Holds a `$ref` target; filled when the target is compiled, which may be later
/// than the referring node because references can be cyclic.
final class RefTarget: @unchecked Sendable {
    var target: SchemaNode?
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

/// One compiled keyword. Object and array applicators are grouped so an
/// instance's members or items are walked once.
enum Keyword {
    case ref(RefTarget)
    case dynamicRef(RefTarget)
    case type(TypeSet)
    case enumeration([JSONValue], strings: Set<String>?)
    case const(JSONValue)
    case multipleOf(JSONValue)
    case maximum(Double, exclusive: Bool)
    case minimum(Double, exclusive: Bool)
    case maxLength(Int)
    case minLength(Int)
    case pattern(ECMARegex)
    case format(String, FormatCheck)
    case maxItems(Int)
    case minItems(Int)
    case uniqueItems
    case maxProperties(Int)
    case minProperties(Int)
    case required([String])
    case dependentRequired([(String, [String])])
    case allOf([SchemaNode])
    case anyOf([SchemaNode])
    case oneOf([SchemaNode])
    case not(SchemaNode)
    case conditional(if: SchemaNode, then: SchemaNode?, else: SchemaNode?)
    case dependentSchemas([(String, SchemaNode)])
    case members(properties: [String: SchemaNode], patterns: [(ECMARegex, SchemaNode)], additional: SchemaNode?)
    case propertyNames(SchemaNode)
    case items(prefix: [SchemaNode], rest: SchemaNode?)
    case contains(SchemaNode, min: Int, max: Int?)
    /// Hutong rule: pairs of date fields where the first must not be later than the second.
    case dateOrder([(String, String)])
}
