import Foundation
import Standard

/// Where the tests find the repository, the standard and the official
/// JSON-Schema-Test-Suite (beside the repository, or `JSON_SCHEMA_TEST_SUITE`).
public enum TestRepository {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let schemas = root.appendingPathComponent("Schemas")

    /// The standard, compiled once per test process.
    public static let catalog: StandardCatalog = {
        do { return try StandardCatalog(directory: schemas) } catch { fatalError("the standard in \(schemas.path) does not load: \(error)") }
    }()

    public static var conformanceSuite: URL {
        if let p = ProcessInfo.processInfo.environment["JSON_SCHEMA_TEST_SUITE"] { return URL(fileURLWithPath: p) }
        return root.deletingLastPathComponent().appendingPathComponent("shared/conformance/JSON-Schema-Test-Suite")
    }

    /// A new empty directory under the system's temporary one.
    public static func temporaryDirectory(_ prefix: String = "hutong-test") throws -> String {
        let dir = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
