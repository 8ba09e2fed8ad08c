import Testing
import JSON
import JSONSchema
@testable import Standard

/// The standard's own keywords as the validator applies them.
@Suite struct StandardVocabularyTests {
    func penalty(_ change: (inout JSONObject) -> Void) throws -> JSONValue {
        var g = try SampleGenerator(type: "penalty", seed: 11)
        var record = try #require(g.next().record.objectValue)
        change(&record)
        return .object(record)
    }

    /// `x-date-order`: a date before the one it must follow is a finding at the
    /// later field, named by its Chinese title, with both dates.
    @Test func aDateBeforeItsPredecessorIsAFinding() throws {
        let schema = try #require(StandardSchemaTests.catalog.schema(named: "penalty"))
        let good = try penalty { _ in }
        #expect(schema.isValid(good))
        let bad = try penalty { $0["decision_date"] = "2024-05-02"; $0["valid_until"] = "2024-05-01" }
        #expect(!schema.isValid(bad))
        let finding = try #require(schema.validate(bad).first { $0.keywordLocation.hasSuffix("/x-date-order") })
        #expect(finding.instanceLocation == "/valid_until")
        #expect(finding.message.contains("2024-05-01 is before"))
        #expect(finding.message.contains("2024-05-02"))
        #expect(finding.message.contains("处罚决定日期"), "the earlier field is named by its title: \(finding.message)")
    }

    /// The personal fields the catalog masks are read from `x-personal`, the
    /// party's name only for natural persons.
    @Test func personalFieldsComeFromTheSchema() throws {
        let fields = try #require(StandardSchemaTests.catalog.recordTypes["penalty"]).personalFields
        #expect(fields.contains(PersonalField(pointer: "/party/id_document/number", onlyForNaturalPerson: false)))
        #expect(fields.contains(PersonalField(pointer: "/party/name", onlyForNaturalPerson: true)))
    }
}
