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

    @Test func idNeedsTheNaturalKey() throws {
        let type = try #require(Fixtures.catalog.recordTypes["penalty"])
        #expect(throws: EnvelopeError.missingNaturalKey(type: "penalty", field: "/decision_number")) {
            try RecordID.derive(type: type, body: ["issuing_agency": ["credit_code": "91310110666007217T"]])
        }
    }
}
