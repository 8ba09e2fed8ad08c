import Testing
import JSON
import JSONSchema
@testable import Standard

/// Personal information (`x-personal`) never appears whole in a message.
@Suite struct PersonalDataTests {
    @Test func masking() {
        #expect(PersonalData.mask("11010519491231002X") == "110105********002X")
        #expect(PersonalData.mask("张三丰") == "张**")
        #expect(PersonalData.mask("李") == "李*")
    }

    /// A personal value is masked when a message quotes it.
    @Test func personalValuesAreMaskedInMessages() throws {
        let catalog = StandardSchemaTests.catalog
        var g = try SampleGenerator(type: "penalty", seed: 5)
        var record = g.next().record.objectValue!
        var party = record["party"]!.objectValue!
        party["kind"] = "自然人"
        party["name"] = .string(String(repeating: "王", count: 201))
        party["legal_representative"] = nil
        party["credit_code"] = nil
        party["id_document"] = ["kind": "护照号", "number": .string("E" + String(repeating: "1", count: 70))]
        record["party"] = .object(party)
        let issues = catalog.schema(named: "penalty")!.validate(.object(record))
        let all = issues.map(\.message).joined(separator: "\n")
        #expect(issues.contains { $0.instanceLocation == "/party/id_document/number" })
        #expect(!all.contains(String(repeating: "1", count: 20)), "an ID number appeared in a message: \(all)")
    }

    @Test func quotedPersonalValuesAreMasked() throws {
        let registry = SchemaRegistry()
        try registry.add(["properties": ["id": ["x-personal": true, "title": "证件号码", "enum": ["x"]], "code": ["enum": ["x"]]]], uri: "https://t.test/s.json")
        let schema = try JSONSchema(uri: "https://t.test/s.json", registry: registry, options: .standard)
        let issues = schema.validate(["id": "110105194912310021", "code": "110105194912310021"])
        let id = try #require(issues.first { $0.instanceLocation == "/id" })
        #expect(id.message.contains("110105********0021"))
        #expect(!id.message.contains("110105194912310021"))
        // A field not marked personal is quoted as it is.
        #expect(issues.first { $0.instanceLocation == "/code" }?.message.contains("110105194912310021") == true)
    }
}
