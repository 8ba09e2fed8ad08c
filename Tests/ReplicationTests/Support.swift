import Foundation
import HutongTesting
@testable import Replication
@testable import Standard
import JSON

enum Fixtures {
    static let repo = TestRepository.root
    static let catalog: StandardCatalog = try! StandardCatalog(directory: repo.appendingPathComponent("Schemas"))

    static func json(_ path: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: repo.appendingPathComponent(path))))
    }

    /// A version of record "r1" written by `writer` with the given vector and clock.
    static func version(_ writer: String, _ vv: [String: UInt64], hlc: UInt64, body: JSONValue = ["x": 1],
                        owner: String = "a", deleted: Bool = false) -> Envelope {
        Envelope(id: "r1", type: "violation_lead", owner: owner, vv: VersionVector(vv), hlc: HLCTimestamp(millis: hlc),
                 writer: writer, deleted: deleted, hash: ContentHash.of(body), body: body)
    }
}

/// JSON text of a value, for messages.
enum JSONWriterCheck { static func text(_ v: JSONValue) -> String { JSONWriter.string(v) } }
