import JSON

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

    /// Compiles several schemas with one compiler: what they share (a common
    /// file, schemas referring to each other) is compiled once.
    /// - Throws: `SchemaSetError`, naming the schema whose root did not compile.
    public static func compileTogether(_ uris: [String], registry: SchemaRegistry, options: ValidatorOptions = .init()) throws(SchemaSetError) -> [JSONSchema] {
        let compiler = SchemaCompiler(registry: registry, options: options)
        var roots: [(uri: String, node: SchemaNode)] = []
        for uri in uris {
            do { roots.append((uri, try compiler.root(uri: uri))) } catch {
                throw SchemaSetError(uri: uri, reason: error)
            }
        }
        do { return try compiler.finish(roots) } catch { throw SchemaSetError(uri: nil, reason: error) }
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

/// How strictly to validate, and what a standard adds to draft 2020-12.
public struct ValidatorOptions: Sendable {
    /// Assert `format` even where the metaschema only makes it an annotation
    /// (a metaschema with the format-assertion vocabulary switches it on).
    public var assertFormats: Bool
    /// The format checkers by name; unknown formats are annotations only.
    public var formats: [String: FormatCheck]
    /// Vocabularies beyond draft 2020-12 whose keywords are read.
    public var vocabularies: [any SchemaVocabulary]

    public init(assertFormats: Bool = false, formats: [String: FormatCheck] = Formats.all, vocabularies: [any SchemaVocabulary] = []) {
        self.assertFormats = assertFormats
        self.formats = formats
        self.vocabularies = vocabularies
    }
}

/// A schema of a set that did not compile.
public struct SchemaSetError: Error, Sendable, CustomStringConvertible {
    /// The schema whose root failed; nil when the failure is in what they share.
    public var uri: String?
    public var reason: any Error

    public var description: String { "\(uri.map { $0 + ": " } ?? "")\(reason)" }
}
