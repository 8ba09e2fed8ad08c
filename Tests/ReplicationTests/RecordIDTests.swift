import Foundation
import Testing
@testable import Replication
@testable import Standard
import JSON

/// Record ids: UUIDv5 of the record type and its natural key.
@Suite struct RecordIDTests {
    @Test func uuidV5() throws {
        let dns = try #require(UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8"))
        #expect(RecordID.v5(namespace: dns, name: "python.org").uuidString.lowercased() == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
        #expect(RecordID.namespace.uuidString.lowercased() == "aa7057b6-5745-551a-85a8-e981d1ea0175")
    }

    /// The id's text is Foundation's, lowered, for any bytes.
    @Test func idTextIsTheLowerCaseUUID() throws {
        var g = SystemRandomNumberGenerator()
        for name in ["python.org", "", "处罚决定书"] + (0..<200).map({ _ in String(g.next() as UInt64, radix: 36) }) {
            let id = RecordID.v5(namespace: RecordID.namespace, name: name)
            #expect(RecordID.text(id) == id.uuidString.lowercased())
        }
        let edges = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                     UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        #expect(edges.map(RecordID.text) == ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"])
    }

    @Test func idNeedsTheNaturalKey() throws {
        let type = try #require(Fixtures.catalog.recordTypes["penalty"])
        #expect(throws: EnvelopeError.missingNaturalKey(type: "penalty", field: "/decision_number")) {
            try RecordID.derive(type: type, body: ["issuing_agency": ["credit_code": "91310110666007217T"]])
        }
    }
}
