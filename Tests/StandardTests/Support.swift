import Foundation
import HutongTesting
@testable import Standard
import JSON

/// Paths the tests need: the repository, its Schemas/, and the shared conformance suite.
enum TestPaths {
    static let repo = TestRepository.root
    static let schemas = repo.appendingPathComponent("Schemas")
    static let examples = schemas.appendingPathComponent("examples")
    static var suite: URL { TestRepository.conformanceSuite }

    static func json(_ url: URL) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: url)))
    }
}
