/// A compiled schema, ready to validate any number of instances, from any
/// number of threads at once.
public final class JSONSchema: Sendable {
    let root: SchemaNode
    let dynamicAnchors: [Int: [String: SchemaNode]]
    /// The URI it was compiled from.
    public let uri: String
    /// Owns every compiled node: nodes refer to each other unretained.
    let nodes: [SchemaNode]
    /// Whether evaluation must keep the dynamic scope (only for `$dynamicRef`).
    let tracksDynamicScope: Bool

    init(root: SchemaNode, dynamicAnchors: [Int: [String: SchemaNode]], uri: String, nodes: [SchemaNode], tracksDynamicScope: Bool) {
        self.root = root
        self.tracksDynamicScope = tracksDynamicScope
        self.dynamicAnchors = dynamicAnchors
        self.uri = uri
        self.nodes = nodes
    }

    /// Compiles the schema named by `uri` from the registry's documents.
    public convenience init(uri: String, registry: SchemaRegistry, options: ValidatorOptions = .init()) throws {
        let compiled = try SchemaCompiler(registry: registry, options: options).compile(uri: uri)
        self.init(root: compiled.root, dynamicAnchors: compiled.dynamicAnchors, uri: uri, nodes: compiled.nodes,
                  tracksDynamicScope: compiled.tracksDynamicScope)
    }

    /// All findings for one instance; empty when it is valid.
    public func validate(_ instance: JSONValue) -> [ValidationIssue] {
        var e = Evaluator(schema: self, collectIssues: true)
        var ann = Annotations()
        _ = e.evaluate(root, instance, collect: false, &ann)
        return e.issues
    }

    /// Whether the instance is valid, without building messages.
    public func isValid(_ instance: JSONValue) -> Bool {
        var e = Evaluator(schema: self, collectIssues: false)
        var ann = Annotations()
        return e.evaluate(root, instance, collect: false, &ann)
    }
}

/// How strictly to validate.
public struct ValidatorOptions: Sendable {
    /// Assert `format` even where the metaschema only makes it an annotation.
    /// The standard's own metaschema switches assertion on regardless.
    public var assertFormats: Bool
    /// The format checkers by name; unknown formats are annotations only.
    public var formats: [String: FormatCheck]

    public init(assertFormats: Bool = false, formats: [String: FormatCheck] = Formats.all) {
        self.assertFormats = assertFormats
        self.formats = formats
    }
}
