import Foundation
import JSON

/// The standard's schema files as written (not compiled), for describing them:
/// the reference page reads titles, rules and code lists where the schemas
/// keep them, so it cannot say something the validator does not enforce.
struct SchemaFiles {
    /// Path relative to `Schemas/` (`penalty.json`, `codes/party-kind.json`) → document.
    let documents: [String: JSONValue]

    /// One subschema: the file it is in and the JSON value.
    struct Located {
        let file: String
        let value: JSONValue
        subscript(key: String) -> JSONValue? { value[key] }
    }

    init(directory: URL) throws {
        var docs: [String: JSONValue] = [:]
        let root = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw CatalogError.missingDirectory(directory.path)
        }
        for case let url as URL in walker {
            if ["examples", "api"].contains(url.lastPathComponent) { walker.skipDescendants(); continue }
            guard url.pathExtension == "json" else { continue }
            let path = url.standardizedFileURL.path
            let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : url.lastPathComponent
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw CatalogError.unreadable(path: url.path, reason: error.localizedDescription)
            }
            do { docs[relative] = try JSONParser.parse(Array(data)) } catch {
                throw CatalogError.notJSON(path: url.path, error: error)
            }
        }
        guard !docs.isEmpty else { throw CatalogError.missingDirectory(directory.path) }
        documents = docs
    }

    func document(_ file: String) -> Located? {
        documents[file].map { Located(file: file, value: $0) }
    }

    /// Code list files (`codes/…`), in name order.
    var codeLists: [String] { documents.keys.filter { $0.hasPrefix("codes/") }.sorted() }

    /// The target of a `$ref` written in `file`: relative paths and `#/…`
    /// pointers, as the standard uses them; nil for anything outside it.
    func resolve(_ ref: String, from file: String) -> Located? {
        let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let pathPart = parts.first.map(String.init) ?? ""
        let target = pathPart.isEmpty ? file : Self.join(file, pathPart)
        guard let doc = documents[target] else { return nil }
        let pointer = parts.count > 1 ? String(parts[1]) : ""
        guard let tokens = JSONPointer.tokens(pointer), let value = JSONPointer.resolve(tokens, in: doc) else { return nil }
        return Located(file: target, value: value)
    }

    /// `dir/of/file.json` + `../x.json` → normalised path.
    private static func join(_ file: String, _ relative: String) -> String {
        var parts = file.split(separator: "/").dropLast().map(String.init)
        for p in relative.split(separator: "/") {
            if p == ".." { if !parts.isEmpty { parts.removeLast() } } else if p != "." { parts.append(String(p)) }
        }
        return parts.joined(separator: "/")
    }

    /// A subschema with its `$ref` chain followed: the nearest title and
    /// description win, keywords are read from the first schema in the chain
    /// that has them, and the code list reached on the way (if any) is kept.
    struct Resolved {
        var chain: [Located]
        var title: String? { chain.lazy.compactMap { $0["title"]?.stringValue }.first }
        var ownDescription: String? { chain.first?["description"]?.stringValue }
        var codeList: String? { chain.first { $0.file.hasPrefix("codes/") && $0.value["$id"] != nil }?.file }
        func keyword(_ k: String) -> JSONValue? { chain.lazy.compactMap { $0[k] }.first }
    }

    func follow(_ schema: Located) -> Resolved {
        var chain = [schema]
        var seen: Set<String> = []
        var current = schema
        while let ref = current["$ref"]?.stringValue, let next = resolve(ref, from: current.file), seen.insert(current.file + "#" + ref).inserted {
            chain.append(next)
            current = next
        }
        return Resolved(chain: chain)
    }
}
