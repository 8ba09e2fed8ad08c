import Foundation
import JSON

/// Every schema document the validator knows, indexed by `$id`, `$anchor` and
/// `$dynamicAnchor` so that `$ref`s resolve across files (the standard's
/// `Schemas/`, files named on the command line, the draft 2020-12 metaschemas).
/// Filled before compiling; not used concurrently.
public final class SchemaRegistry {
    /// Fetches a document the registry does not hold yet (absolute URI, no fragment).
    /// Returns nil when unknown. The validator never reaches the network itself.
    public typealias Loader = (String) throws -> JSONValue?

    struct Document {
        let root: JSONValue
        let uri: String
    }

    /// A place in a document: which document, and an escaped JSON Pointer within it.
    struct Location: Hashable {
        let doc: Int
        let pointer: String
    }

    /// A schema resource: a document root or a subschema with its own `$id`.
    struct Resource {
        let uri: String
        let location: Location
        var dynamicAnchors: [String: Location] = [:]
        /// Index of the enclosing resource, for inheriting `$schema`.
        let parent: Int?
    }

    private(set) var documents: [Document] = []
    private(set) var resources: [Resource] = []
    private var resourceByURI: [String: Int] = [:]
    private var anchors: [String: Location] = [:]
    /// The resource each indexed subschema belongs to.
    private var subschemaResource: [Location: Int] = [:]
    private var loading: Set<String> = []
    public var loader: Loader?

    public init(loader: Loader? = nil) {
        self.loader = loader
        for (uri, text) in Metaschemas.draft202012 {
            // The embedded metaschemas are known-good JSON.
            try! add(try! JSONParser.parse(text), uri: uri)
        }
    }

    /// Adds a document under `uri` (its retrieval URI). A root `$id` adds a second name.
    /// - Throws: `SchemaError.duplicateID` when a different document already holds the URI.
    public func add(_ document: JSONValue, uri: String) throws {
        let base = URIReference(uri).withoutFragment.string
        if resourceByURI[base] != nil { throw SchemaError.duplicateID(base) }
        let doc = documents.count
        documents.append(Document(root: document, uri: base))
        let rootLoc = Location(doc: doc, pointer: "")
        // A root `$id` names the resource; the retrieval URI stays an alias.
        var id = base
        if case .string(let declared)? = document["$id"] {
            id = URIReference(declared).resolved(against: URIReference(base)).withoutFragment.string
            if id != base, resourceByURI[id] != nil { throw SchemaError.duplicateID(id) }
        }
        let r = newResource(uri: id, at: rootLoc, parent: nil)
        resourceByURI[base] = r
        index(document, at: rootLoc, base: id, resource: r, isDocumentRoot: true)
    }

    /// Whether a document or resource with this absolute URI is known.
    public func contains(uri: String) -> Bool {
        resourceByURI[URIReference(uri).withoutFragment.string] != nil
    }

    private func newResource(uri: String, at loc: Location, parent: Int?) -> Int {
        let idx = resources.count
        resources.append(Resource(uri: uri, location: loc, parent: parent))
        resourceByURI[uri] = idx
        return idx
    }

    private static let singleSchemaKeywords: Set<String> = [
        "additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema", "additionalItems",
    ]
    private static let schemaArrayKeywords: Set<String> = ["prefixItems", "allOf", "anyOf", "oneOf"]
    private static let schemaMapKeywords: Set<String> = ["$defs", "definitions", "properties", "patternProperties", "dependentSchemas"]

    private func index(_ value: JSONValue, at loc: Location, base: String, resource: Int, isDocumentRoot: Bool = false) {
        guard case .object(let obj) = value else {
            subschemaResource[loc] = resource
            return
        }
        var base = base
        var resource = resource
        if !isDocumentRoot, case .string(let id)? = obj["$id"] {
            let resolved = URIReference(id).resolved(against: URIReference(base)).withoutFragment.string
            if resourceByURI[resolved] == nil {
                resource = newResource(uri: resolved, at: loc, parent: resource)
            }
            base = resolved
        }
        subschemaResource[loc] = resource
        let resourceURI = resources[resource].uri
        if case .string(let a)? = obj["$anchor"] {
            anchors[resourceURI + "#" + a] = loc
            if base != resourceURI { anchors[base + "#" + a] = loc }
        }
        if case .string(let a)? = obj["$dynamicAnchor"] {
            if anchors[resourceURI + "#" + a] == nil { anchors[resourceURI + "#" + a] = loc }
            resources[resource].dynamicAnchors[a] = loc
        }
        for (key, child) in obj.members {
            let p = loc.pointer + "/" + JSONPointer.escape(key)
            if Self.singleSchemaKeywords.contains(key) {
                index(child, at: Location(doc: loc.doc, pointer: p), base: base, resource: resource)
            } else if Self.schemaArrayKeywords.contains(key), case .array(let items) = child {
                for (i, item) in items.enumerated() {
                    index(item, at: Location(doc: loc.doc, pointer: p + "/\(i)"), base: base, resource: resource)
                }
            } else if Self.schemaMapKeywords.contains(key), case .object(let m) = child {
                for (k, item) in m.members {
                    index(item, at: Location(doc: loc.doc, pointer: p + "/" + JSONPointer.escape(k)), base: base, resource: resource)
                }
            }
        }
    }

    // MARK: Lookup

    func value(at loc: Location) -> JSONValue? {
        guard let tokens = JSONPointer.tokens(loc.pointer) else { return nil }
        return JSONPointer.resolve(tokens, in: documents[loc.doc].root)
    }

    /// The resource a location belongs to: the one indexed for it or its nearest indexed ancestor.
    func resource(of loc: Location) -> Int {
        var p = loc.pointer
        while true {
            if let r = subschemaResource[Location(doc: loc.doc, pointer: p)] { return r }
            guard let slash = p.lastIndex(of: "/") else { break }
            p = String(p[..<slash])
        }
        return subschemaResource[Location(doc: loc.doc, pointer: "")] ?? 0
    }

    /// The base URI in force at a location: its resource's URI.
    func baseURI(of loc: Location) -> String { resources[resource(of: loc)].uri }

    /// Resolves a `$ref` value against a base URI to the location it names.
    func resolve(_ ref: String, base: String) throws -> Location {
        let absolute = URIReference(ref).resolved(against: URIReference(base))
        let uri = absolute.withoutFragment.string
        let r = try resourceIndex(for: uri, ref: ref)
        let root = resources[r].location
        guard let fragment = absolute.fragment, !fragment.isEmpty else { return root }
        if fragment.hasPrefix("/") {
            let pointer = URIReference.percentDecode(fragment)
            let loc = Location(doc: root.doc, pointer: root.pointer + pointer)
            guard value(at: loc) != nil else { throw SchemaError.unresolvedReference(ref, base: base) }
            return loc
        }
        guard let loc = anchors[resources[r].uri + "#" + fragment] ?? anchors[uri + "#" + fragment] else {
            throw SchemaError.unresolvedReference(ref, base: base)
        }
        return loc
    }

    private func resourceIndex(for uri: String, ref: String) throws -> Int {
        if let r = resourceByURI[uri] { return r }
        guard let loader, !loading.contains(uri) else { throw SchemaError.unresolvedReference(ref, base: uri) }
        loading.insert(uri)
        defer { loading.remove(uri) }
        guard let doc = try loader(uri) else { throw SchemaError.unresolvedReference(ref, base: uri) }
        try add(doc, uri: uri)
        guard let r = resourceByURI[uri] else { throw SchemaError.unresolvedReference(ref, base: uri) }
        return r
    }

    /// Loads (if needed) the document at an absolute URI, for metaschemas.
    public func document(uri: String) throws -> JSONValue? {
        let u = URIReference(uri).withoutFragment.string
        guard let r = try? resourceIndex(for: u, ref: uri) else { return nil }
        return value(at: resources[r].location)
    }
}

/// Problems with the schemas themselves (not with records).
public enum SchemaError: Error, CustomStringConvertible, Sendable {
    case duplicateID(String)
    case unresolvedReference(String, base: String)
    case invalidSchema(String, at: String)
    case unknownMetaschema(String)
    case unsupportedVocabulary(String)

    public var description: String {
        switch self {
        case .duplicateID(let u): "two schema documents claim the same URI \(u); give each file its own $id"
        case .unresolvedReference(let r, let b): "$ref \"\(r)\" (from \(b)) does not name any known schema; check the file name and the $defs/$anchor it points to"
        case .invalidSchema(let why, let at): "invalid schema at \(at): \(why)"
        case .unknownMetaschema(let u): "$schema \"\(u)\" is not a known metaschema; use https://json-schema.org/draft/2020-12/schema"
        case .unsupportedVocabulary(let u): "the metaschema requires vocabulary \(u), which this validator does not implement"
        }
    }
}
