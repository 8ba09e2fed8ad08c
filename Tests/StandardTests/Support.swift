import Foundation
@testable import Standard

/// Paths the tests need: the repository, its Schemas/, and the shared conformance suite.
enum TestPaths {
    static let repo: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemas = repo.appendingPathComponent("Schemas")
    static let examples = schemas.appendingPathComponent("examples")
    static var suite: URL {
        if let p = ProcessInfo.processInfo.environment["JSON_SCHEMA_TEST_SUITE"] { return URL(fileURLWithPath: p) }
        return repo.deletingLastPathComponent().appendingPathComponent("shared/conformance/JSON-Schema-Test-Suite")
    }

    static func json(_ url: URL) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: url)))
    }
}
