import Testing
import JSON
import JSONSchema

/// A vocabulary beyond draft 2020-12 plugs into the engine: its keywords are
/// read where they appear, its masks and rules shape findings, its checks
/// fail records, and a metaschema's `$vocabulary` can leave it out.
@Suite struct VocabularyTests {
    /// `x-even-sum: [a, b]`: the two integer-looking string members must add up to an even number.
    struct EvenSum: ObjectCheck {
        let keyword = "x-even-sum"
        let a: MemberName, b: MemberName
        func check(_ object: ObjectView, title: (String) -> String?, findings: ((String, String) -> Void)?) -> Bool {
            guard let x = object.string(a).flatMap({ Int(String(decoding: $0, as: UTF8.self)) }),
                  let y = object.string(b).flatMap({ Int(String(decoding: $0, as: UTF8.self)) }) else { return true }
            guard (x + y) % 2 != 0 else { return true }
            findings?(b.name, "\(title(b.name) ?? b.name) makes an odd sum")
            return false
        }
    }

    struct Test: SchemaVocabulary {
        let uri = "https://t.test/vocab/test"
        func compile(_ object: JSONObject) throws(SchemaVocabularyError) -> VocabularyKeywords? {
            var said = VocabularyKeywords()
            var any = false
            if object["x-secret"] == .bool(true) { said.mask = { _ in "###" }; said.maskLabel = "secret"; any = true }
            if let rule = object["x-why"]?.stringValue { said.rule = rule; any = true }
            if case .array(let names)? = object["x-even-sum"] {
                guard names.count == 2, let a = names[0].stringValue, let b = names[1].stringValue else {
                    throw SchemaVocabularyError("x-even-sum takes two member names")
                }
                said.checks.append(EvenSum(a: MemberName(a), b: MemberName(b)))
                any = true
            }
            return any ? said : nil
        }
    }

    static let options = ValidatorOptions(vocabularies: [Test()])

    func compile(_ schema: JSONValue, metaschema: JSONValue? = nil, options: ValidatorOptions = Self.options) throws -> JSONSchema {
        let registry = SchemaRegistry()
        var schema = schema
        if let metaschema {
            try registry.add(metaschema, uri: "https://t.test/meta.json")
            if case .object(var o) = schema { o["$schema"] = "https://t.test/meta.json"; schema = .object(o) }
        }
        try registry.add(schema, uri: "https://t.test/s.json")
        return try JSONSchema(uri: "https://t.test/s.json", registry: registry, options: options)
    }

    static let schema: JSONValue = [
        "x-even-sum": ["a", "b"],
        "properties": ["b": ["title": "乙"], "pin": ["x-secret": true, "x-why": "规则一", "enum": ["0"]]],
    ]

    @Test func checksMasksAndRulesShapeFindings() throws {
        let schema = try compile(Self.schema)
        #expect(schema.isValid(["a": "1", "b": "3"]))
        #expect(!schema.isValid(["a": "1", "b": "2"]))
        let issues = schema.validate(["a": "1", "b": "2", "pin": "1234"])
        let sum = try #require(issues.first { $0.instanceLocation == "/b" })
        #expect(sum.message == "乙 makes an odd sum")
        #expect(sum.keywordLocation.hasSuffix("/x-even-sum"))
        let pin = try #require(issues.first { $0.instanceLocation == "/pin" })
        #expect(pin.message.contains("###") && pin.message.hasSuffix("(rule: 规则一)"))
        #expect(!pin.message.contains("1234"))
        #expect(schema.maskedLocations() == [MaskedLocation(pointer: "/pin", label: "secret")])
    }

    @Test func withoutTheVocabularyItsKeywordsAreIgnored() throws {
        let schema = try compile(Self.schema, options: ValidatorOptions())
        #expect(schema.isValid(["a": "1", "b": "2"]))
        #expect(schema.maskedLocations().isEmpty)
    }

    @Test func aMetaschemaCanLeaveItOut() throws {
        func meta(_ vocabularies: [String]) -> JSONValue {
            var declared = JSONObject()
            for v in ["https://json-schema.org/draft/2020-12/vocab/core", "https://json-schema.org/draft/2020-12/vocab/applicator",
                      "https://json-schema.org/draft/2020-12/vocab/validation"] + vocabularies { declared[v] = .bool(true) }
            return ["$schema": "https://json-schema.org/draft/2020-12/schema", "$vocabulary": .object(declared)]
        }
        #expect(!(try compile(Self.schema, metaschema: meta(["https://t.test/vocab/test"]))).isValid(["a": "1", "b": "2"]))
        #expect(try compile(Self.schema, metaschema: meta([])).isValid(["a": "1", "b": "2"]))
    }

    @Test func aMalformedKeywordSaysWhere() throws {
        #expect {
            _ = try compile(["properties": ["x": ["x-even-sum": ["a"]]]])
        } throws: { "\($0)".contains("x-even-sum takes two member names") && "\($0)".contains("/properties/x") }
    }
}
