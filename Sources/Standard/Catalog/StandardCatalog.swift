import Foundation
import JSON
import JSONSchema

/// The unified enforcement data standard as loaded from `Schemas/`: every record
/// type compiled once, with its annotations, plus the envelope and batch header.
public final class StandardCatalog: Sendable {
    public static let baseURI = "https://hutong.example/standard/v1/"
    /// The record types of the standard, in the order documents list them.
    public static let recordTypeNames = ["agency", "officer", "matter", "inspection", "penalty", "coercive_measure", "case_transfer", "violation_lead"]
    /// What counts of refused items name the type by when the item names no known one.
    public static let unknownType = "unknown"

    /// `name` when it is a record type, else `unknownType` (a refused item's type is whatever its sender wrote).
    public static func countedType(_ name: String?) -> String {
        name.flatMap { recordTypeNames.contains($0) ? $0 : nil } ?? unknownType
    }
    /// Schemas that are not record types but can be validated by name.
    public static let otherSchemaNames = ["envelope", "batch-header", "batch-end"]

    public let directory: URL
    /// How its schemas were compiled, to load the same again.
    public let options: ValidatorOptions
    public let version: String
    public let recordTypes: [String: RecordType]
    private let others: [String: JSONSchema]

    /// Loads and compiles every schema under `directory`, all with one
    /// compiler: what they share is compiled once (the envelope refers to
    /// every record type), which every command that opens a node waits for.
    /// - Throws: `CatalogError` naming the file when a schema is not JSON or does not compile.
    public init(directory: URL, options: ValidatorOptions = .standard) throws {
        self.directory = directory
        self.options = options
        let registry = SchemaRegistry()
        try Self.load(directory: directory, into: registry)
        let names = Self.recordTypeNames + Self.otherSchemaNames
        let uris = names.map { Self.baseURI + $0 + ".json" }
        for (name, uri) in zip(names, uris) where !registry.contains(uri: uri) {
            throw CatalogError.missingSchema(name: name, directory: directory.path)
        }
        let schemas: [JSONSchema]
        do { schemas = try JSONSchema.compileTogether(uris, registry: registry, options: options) } catch {
            throw CatalogError.invalidSchema(uri: error.uri ?? directory.path, reason: "\(error.reason)")
        }
        // The record types come first in `names`, then the others.
        var types: [String: RecordType] = [:]
        for (name, schema) in zip(Self.recordTypeNames, schemas) {
            types[name] = try Self.recordType(name: name, uri: schema.uri, schema: schema, registry: registry)
        }
        recordTypes = types
        others = Dictionary(uniqueKeysWithValues: zip(Self.otherSchemaNames, schemas.dropFirst(Self.recordTypeNames.count)))
        version = (try? registry.document(uri: Self.baseURI + "meta.json"))??["x-standard-version"]?.stringValue ?? "unknown"
    }

    /// Adds every `.json` file under `directory` (but not `examples/`) to the registry.
    public static func load(directory: URL, into registry: SchemaRegistry) throws {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw CatalogError.missingDirectory(directory.path)
        }
        var files: [URL] = []
        for case let url as URL in walker {
            // Examples are records, api/ holds the OpenAPI description: not schemas of the standard.
            if ["examples", "api"].contains(url.lastPathComponent) { walker.skipDescendants(); continue }
            if url.pathExtension == "json" { files.append(url) }
        }
        guard !files.isEmpty else { throw CatalogError.missingDirectory(directory.path) }
        for url in files.sorted(by: { $0.path < $1.path }) {
            try addSchemaFile(url, to: registry)
        }
    }

    /// Adds one schema file, under its `file://` URL (its `$id` is a second name).
    public static func addSchemaFile(_ url: URL, to registry: SchemaRegistry) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CatalogError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        let json: JSONValue
        do { json = try JSONParser.parse(Array(data)) } catch {
            throw CatalogError.notJSON(path: url.path, error: error)
        }
        do { try registry.add(json, uri: url.absoluteURL.standardizedFileURL.absoluteString) } catch let e as SchemaError {
            throw CatalogError.invalidSchema(uri: url.path, reason: e.description)
        }
    }

    private static func recordType(name: String, uri: String, schema: JSONSchema, registry: SchemaRegistry) throws -> RecordType {
        guard let doc = try registry.document(uri: uri) else { throw CatalogError.missingSchema(name: name, directory: uri) }
        let key = doc["x-natural-key"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard !key.isEmpty else { throw CatalogError.invalidSchema(uri: uri, reason: "record type has no x-natural-key") }
        guard let policyText = doc["x-conflict-policy"]?["policy"]?.stringValue, let policy = ConflictPolicy(rawValue: policyText) else {
            throw CatalogError.invalidSchema(uri: uri, reason: "record type has no valid x-conflict-policy (lww, owner-wins or manual)")
        }
        return RecordType(
            name: name,
            title: doc["title"]?.stringValue ?? name,
            uri: uri,
            naturalKey: key,
            naturalKeyTokens: key.map(JSONPointer.tokens),
            conflictPolicy: policy,
            conflictPolicyReason: doc["x-conflict-policy"]?["description"]?.stringValue ?? "",
            personalFields: schema.maskedLocations().map { PersonalField(pointer: $0.pointer, onlyForNaturalPerson: $0.label == StandardVocabulary.naturalPersonLabel) },
            schema: schema)
    }

    /// The compiled schema for a record type, `envelope` or `batch-header`.
    public func schema(named name: String) -> JSONSchema? {
        recordTypes[name]?.schema ?? others[name]
    }

    /// All names `--type` accepts.
    public var schemaNames: [String] { Self.recordTypeNames + Self.otherSchemaNames }

    /// The schema name a `$schema` value refers to: a full `$id` or just a file name.
    public func schemaName(forSchemaURI uri: String) -> String? {
        let last = URIReference(uri).withoutFragment.path.split(separator: "/").last.map(String.init) ?? uri
        let name = last.hasSuffix(".json") ? String(last.dropLast(5)) : last
        return schemaNames.contains(name) ? name : nil
    }

    /// Finds `Schemas/`: `HUTONG_SCHEMAS`, the installed share directory, or the
    /// source tree above the executable (for `swift run` and tests).
    public static func locate(executable: URL? = nil) -> URL? {
        let fm = FileManager.default
        func isSchemas(_ u: URL) -> Bool { fm.fileExists(atPath: u.appendingPathComponent("penalty.json").path) }
        if let env = ProcessInfo.processInfo.environment["HUTONG_SCHEMAS"] {
            return URL(fileURLWithPath: env)
        }
        // The running binary's real path (argv[0] is a bare name when run from PATH).
        let running = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
        let exe = (executable ?? running).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        let share = dir.deletingLastPathComponent().appendingPathComponent("share/hutong/schemas")
        if isSchemas(share) { return share }
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("Schemas")
            if isSchemas(candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for fixed in ["/usr/share/hutong/schemas", "/usr/local/share/hutong/schemas", fm.currentDirectoryPath + "/Schemas"] {
            let u = URL(fileURLWithPath: fixed)
            if isSchemas(u) { return u }
        }
        return nil
    }
}

public enum CatalogError: Error, CustomStringConvertible {
    case missingDirectory(String)
    case missingSchema(name: String, directory: String)
    case unreadable(path: String, reason: String)
    case notJSON(path: String, error: JSONParseError)
    case invalidSchema(uri: String, reason: String)

    public var description: String {
        switch self {
        case .missingDirectory(let d): "no schemas found in \(d); point HUTONG_SCHEMAS or --schemas at the standard's Schemas/ directory"
        case .missingSchema(let n, let d): "the standard's schema \(n).json is missing from \(d)"
        case .unreadable(let p, let r): "\(p): cannot read: \(r)"
        case .notJSON(let p, let e): "\(p):\(e.line):\(e.column): not JSON: \(e.reason)"
        case .invalidSchema(let u, let r): "\(u): \(r)"
        }
    }
}
