import Testing
import JSON
@testable import JSONSchema

/// `required` is checked in one pass over the instance's members for up to 64
/// names, by the old pass per name beyond that: both must agree with the
/// spec, a name listed twice included, and the finding must name what is missing.
@Suite struct RequiredTests {
    func schema(_ names: [String]) throws -> JSONSchema {
        let registry = SchemaRegistry()
        try registry.add(["required": .array(names.map { .string($0) })], uri: "https://t.test/required.json")
        return try JSONSchema(uri: "https://t.test/required.json", registry: registry)
    }

    func object(_ names: [String]) -> JSONValue {
        var o = JSONObject()
        for n in names { o[n] = 1 }
        return .object(o)
    }

    @Test func everyNameMustBeThere() throws {
        let s = try schema(["a", "b", "名称", "a"])
        #expect(s.isValid(object(["x", "名称", "b", "a"])))
        #expect(!s.isValid(object(["a", "b", "x", "y"])))
        #expect(s.validate(object(["a", "b", "x", "y"])).map(\.message) == [#"missing required field "名称""#])
        // Not an object: nothing is required of it.
        #expect(s.isValid([1, 2]))
    }

    @Test func manyNames() throws {
        for count in [63, 64, 65, 100] {
            let names = (0..<count).map { "field_\($0)" }
            let s = try schema(names)
            #expect(s.isValid(object(names.reversed())), "\(count) names")
            var missing = names
            missing.remove(at: count / 2)
            #expect(!s.isValid(object(missing + ["other"])), "\(count) names")
            #expect(s.validate(object(missing)).map(\.message) == ["missing required field \"field_\(count / 2)\""])
        }
    }
}
