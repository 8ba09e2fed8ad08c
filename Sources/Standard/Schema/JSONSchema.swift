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
        validate(JSONTape(instance))
    }

    /// Whether the instance is valid, without building messages.
    public func isValid(_ instance: JSONValue) -> Bool {
        isValid(JSONTape(instance))
    }

    /// All findings for the document on `tape`; empty when it is valid.
    public func validate(_ tape: JSONTape) -> [ValidationIssue] {
        tape.withView { view in
            var e = Evaluator(schema: self, tape: view, collectIssues: true)
            var ann = Annotations()
            _ = e.evaluate(.passUnretained(root), 0, collect: false, &ann)
            return e.issues
        }
    }

    /// Whether the document on `tape` is valid, without building messages:
    /// what checks records as they arrive.
    public func isValid(_ tape: JSONTape) -> Bool {
        tape.withView { view in
            var e = Evaluator(schema: self, tape: view, collectIssues: false)
            var ann = Annotations()
            return e.evaluate(.passUnretained(root), 0, collect: false, &ann)
        }
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
