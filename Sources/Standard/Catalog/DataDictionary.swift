import Foundation
import JSON

/// The standard's data dictionary (数据字典): each record type's fields with
/// their kind of value, code list and personal-data marking, and the code
/// lists with their labels and older values. Read from the schema files, so a
/// mapping is checked against exactly what the validator enforces.
public struct DataDictionary: Sendable {
    /// Record type → its fields, the common ones included, in schema order.
    public let fields: [String: [StandardField]]
    /// Code list name (`penalty-kind`, the file's name under `codes/`) → the list.
    public let codeLists: [String: CodeList]

    /// - Throws: `CatalogError` naming a file that cannot be read or is not JSON.
    public init(directory: URL) throws {
        let files = try SchemaFiles(directory: directory)
        var fields: [String: [StandardField]] = [:]
        for name in StandardCatalog.recordTypeNames {
            guard let doc = files.document(name + ".json") else { continue }
            fields[name] = files.fields(of: doc).map { StandardField($0, files: files) }
        }
        self.fields = fields
        var lists: [String: CodeList] = [:]
        for file in files.codeLists {
            guard let doc = files.document(file) else { continue }
            let name = String(file.dropFirst("codes/".count).dropLast(".json".count))
            lists[name] = CodeList(name: name, document: doc.value)
        }
        codeLists = lists
    }

    /// The field at `path` (`party.name`) of a record type.
    public func field(_ path: String, of type: String) -> StandardField? {
        fields[type]?.first { $0.path == path }
    }
}

/// One field of a record type as a mapping needs to know it.
public struct StandardField: Sendable {
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        case text, integer, number, boolean, object
        indirect case list(Kind)

        public var description: String {
            switch self {
            case .text: "text"
            case .integer: "a whole number"
            case .number: "a number"
            case .boolean: "true or false"
            case .object: "an object"
            case .list(let k): "a list of \(k == .object ? "objects" : k.description)"
            }
        }
    }

    /// `party.name`; a list of objects' fields as `materials[].kind`.
    public let path: String
    /// The Chinese name.
    public let title: String
    public let kind: Kind
    /// Required by the object that holds it.
    public let required: Bool
    /// The code list its values come from (`penalty-kind`), for itself or, for a list, its items.
    public let codeList: String?
    /// The `format` its text has (`date`, `uscc`, …).
    public let format: String?
    /// Personal information (`x-personal`): always, or only for a natural person.
    public let personal: Bool

    init(_ f: SchemaFiles.Field, files: SchemaFiles) {
        path = f.path
        title = f.resolved.title ?? ""
        required = f.required
        var r = f.resolved
        var list = false
        if let items = files.itemSchema(r) {
            list = true
            r = files.follow(items)
        }
        let base: Kind = switch r.keyword("type")?.stringValue {
        case "integer": .integer
        case "number": .number
        case "boolean": .boolean
        case "object": .object
        default: .text
        }
        kind = list ? .list(base) : base
        codeList = r.codeList.map { String($0.dropFirst("codes/".count).dropLast(".json".count)) }
        format = r.keyword("format")?.stringValue
        personal = f.resolved.keyword("x-personal").map { $0 != .bool(false) } ?? false
    }
}

/// A code list of the standard: its codes, the labels of coded values
/// (`1` 现场检查), and the values of older catalogues that map onto it.
public struct CodeList: Sendable {
    public let name: String
    public let title: String
    public let codes: [String]
    /// Code → label (`x-labels`).
    public let labels: [String: String]
    /// An older value → the codes it stands for (`x-legacy-2016`): one old
    /// penalty kind may stand for two of the 2021 list.
    public let legacy: [String: [String]]
    /// Whether values beyond `codes` may be valid (a pattern such as 其他-…).
    public let admitsOtherValues: Bool

    init(name: String, document doc: JSONValue) {
        self.name = name
        title = doc["title"]?.stringValue ?? name
        var codes = (doc["enum"]?.arrayValue ?? []).compactMap(\.stringValue)
        var patterns = false
        for part in doc["anyOf"]?.arrayValue ?? [] {
            codes += (part["enum"]?.arrayValue ?? []).compactMap(\.stringValue)
            if part["pattern"] != nil { patterns = true }
        }
        self.codes = codes
        admitsOtherValues = patterns
        var labels: [String: String] = [:]
        for (k, v) in doc["x-labels"]?.objectValue?.members.map({ $0 }) ?? [] { labels[k] = v.stringValue }
        self.labels = labels
        var legacy: [String: [String]] = [:]
        for (k, v) in doc["x-legacy-2016"]?["map"]?.objectValue?.members.map({ $0 }) ?? [] {
            legacy[k] = (v.arrayValue ?? []).compactMap(\.stringValue)
        }
        self.legacy = legacy
    }
}
