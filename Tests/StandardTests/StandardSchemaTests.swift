import Foundation
import Testing
@testable import Standard
import JSON
import JSONSchema

/// The standard in Schemas/: it compiles, its annotations are sound, and its own
/// metaschema accepts every file.
@Suite struct StandardSchemaTests {
    static let catalog: StandardCatalog = try! StandardCatalog(directory: TestPaths.schemas)

    @Test func everyRecordTypeCompilesWithAnnotations() throws {
        let c = Self.catalog
        #expect(Set(c.recordTypes.keys) == Set(StandardCatalog.recordTypeNames))
        for (name, t) in c.recordTypes {
            #expect(!t.naturalKey.isEmpty, "\(name) has no natural key")
            #expect(t.conflictPolicyReason.count > 20, "\(name) gives no reason for its conflict policy")
            #expect(t.title.unicodeScalars.contains { $0.value > 0x4E00 }, "\(name) has no Chinese title")
        }
        #expect(c.recordTypes["penalty"]!.naturalKey == ["/issuing_agency/credit_code", "/decision_number"])
        #expect(c.recordTypes["penalty"]!.conflictPolicy == .ownerWins)
        #expect(c.recordTypes["case_transfer"]!.conflictPolicy == .manual)
        #expect(c.recordTypes["violation_lead"]!.conflictPolicy == .lww)
        #expect(c.version == "1.0.0")
    }

    /// The schemas compile together, sharing what they refer to; each still
    /// validates as it did alone, and a broken or missing file is named.
    @Test func theSchemasCompiledTogetherMatchEachAlone() throws {
        let registry = SchemaRegistry()
        try StandardCatalog.load(directory: TestPaths.schemas, into: registry)
        for type in StandardCatalog.recordTypeNames {
            let alone = try JSONSchema(uri: StandardCatalog.baseURI + type + ".json", registry: registry, options: .standard)
            let together = try #require(Self.catalog.schema(named: type))
            var g = try SampleGenerator(type: type, seed: 9, invalidRatio: 0.5)
            var invalid = 0
            for _ in 0..<30 {
                let record = g.next().record
                let issues = together.validate(record)
                #expect(issues == alone.validate(record), "\(type)")
                if issues.contains(where: { $0.severity == .error }) { invalid += 1 }
            }
            #expect(invalid > 0, "\(type): no invalid sample was compared")
        }
    }

    @Test func aBrokenOrMissingSchemaIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hutong-schemas-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestPaths.schemas, to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let penalty = dir.appendingPathComponent("penalty.json")
        let text = try String(contentsOf: penalty, encoding: .utf8)
        try text.replacingOccurrences(of: "\"minLength\": 1, \"maxLength\": 64", with: "\"minLength\": -1, \"maxLength\": 64")
            .write(to: penalty, atomically: true, encoding: .utf8)
        #expect { try StandardCatalog(directory: dir) } throws: { error in
            let message = String(describing: error)
            return message.contains("penalty.json") && message.contains("minLength must be a non-negative integer")
        }
        try FileManager.default.removeItem(at: penalty)
        #expect { try StandardCatalog(directory: dir) } throws: { error in
            String(describing: error).contains("penalty.json is missing")
        }
    }

    @Test func personalFieldsAreFoundThroughReferences() throws {
        let penalty = Self.catalog.recordTypes["penalty"]!.personalFields
        let pointers = Set(penalty.map(\.pointer))
        #expect(pointers.contains("/party/name"))
        #expect(pointers.contains("/party/id_document/number"))
        #expect(pointers.contains("/party/legal_representative/name"))
        #expect(pointers.contains("/party/legal_representative/id_document/number"))
        #expect(penalty.first { $0.pointer == "/party/name" }?.onlyForNaturalPerson == true)
        #expect(penalty.first { $0.pointer == "/party/id_document/number" }?.onlyForNaturalPerson == false)
        // Nothing about the agency is personal.
        #expect(!pointers.contains { $0.hasPrefix("/issuing_agency") })
        let transfer = Set(Self.catalog.recordTypes["case_transfer"]!.personalFields.map(\.pointer))
        #expect(transfer.contains("/parties/*/id_document/number"))
        let inspection = Set(Self.catalog.recordTypes["inspection"]!.personalFields.map(\.pointer))
        #expect(inspection.contains("/officers/*/name"))
    }

    /// Every natural-key field is required, so every valid record has a key to derive its id from.
    @Test func naturalKeysPointAtRequiredFields() throws {
        let registry = SchemaRegistry()
        try StandardCatalog.load(directory: TestPaths.schemas, into: registry)
        for (name, t) in Self.catalog.recordTypes {
            let doc = try #require(try registry.document(uri: t.uri))
            for pointer in t.naturalKey {
                let first = JSONPointer.tokens(pointer)!.first!
                let required = doc["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
                #expect(required.contains(first), "\(name): natural key \(pointer) is not required")
            }
        }
    }

    @Test func everySchemaFileConformsToTheStandardMetaschema() throws {
        let registry = SchemaRegistry()
        try StandardCatalog.load(directory: TestPaths.schemas, into: registry)
        let meta = try JSONSchema(uri: StandardCatalog.baseURI + "meta.json", registry: registry, options: .standard)
        let files = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.schemas.path)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix("examples") && !$0.hasPrefix("api") && $0 != "meta.json" }
        #expect(files.count >= 25)
        for f in files {
            let doc = try TestPaths.json(TestPaths.schemas.appendingPathComponent(f))
            let issues = meta.validate(doc)
            #expect(issues.isEmpty, "\(f): \(issues.map { "\($0.instanceLocation): \($0.message)" })")
            #expect(doc["$schema"]?.stringValue == StandardCatalog.baseURI + "meta.json", "\(f) does not declare the standard's metaschema")
        }
    }

    @Test func metaschemaRejectsABadAnnotation() throws {
        let registry = SchemaRegistry()
        try StandardCatalog.load(directory: TestPaths.schemas, into: registry)
        let meta = try JSONSchema(uri: StandardCatalog.baseURI + "meta.json", registry: registry, options: .standard)
        let bad: JSONValue = ["type": "object", "properties": ["x": ["x-personal": "sometimes"]], "x-conflict-policy": ["policy": "newest"]]
        let issues = meta.validate(bad)
        #expect(issues.contains { $0.instanceLocation == "/properties/x/x-personal" })
        #expect(issues.contains { $0.instanceLocation == "/x-conflict-policy/policy" })
    }
}
