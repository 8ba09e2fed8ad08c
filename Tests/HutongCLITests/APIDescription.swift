import Foundation
import Standard
import Testing
import JSON
import JSONSchema

/// `Schemas/api/peer-api.json`, so tests hold the server's answers to what it
/// says: each answer is validated against the schema the description gives
/// for that path, method and status.
enum APIDescription {
    static let uri = "https://hutong.example/api/peer-api.json"
    static let document: JSONValue = try! JSONParser.parse(
        Array(try! Data(contentsOf: CLI.repo.appendingPathComponent("Schemas/api/peer-api.json"))))

    static func schema(at pointer: String) throws -> JSONSchema {
        let registry = SchemaRegistry()
        try registry.add(document, uri: uri)
        return try JSONSchema(uri: uri + "#" + pointer, registry: registry)
    }

    /// Findings of one answer against the description (empty: it conforms).
    static func check(_ method: String, _ path: String, status: Int, body: [UInt8]) throws -> [String] {
        let escaped = path.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        let operation = "/paths/\(escaped)/\(method.lowercased())"
        guard document["paths"]?[path]?[method.lowercased()]?["responses"]?["\(status)"] != nil else {
            return ["\(method) \(path) answered \(status), which the description does not list"]
        }
        let pointer = status == 200 ? "\(operation)/responses/200/content/application~1json/schema" : "/components/schemas/Error"
        let value = try JSONParser.parse(body)
        return try schema(at: pointer).validate(value).filter { $0.severity == .error }.map { "\($0.instanceLocation): \($0.message)" }
    }
}
