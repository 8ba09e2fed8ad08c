import Foundation
import Testing
@testable import Standard
import JSON

/// `Schemas/README.md` is generated from the schemas (`hutong reference`);
/// these tests hold it to them.
@Suite struct ReferenceTests {
    static let page = TestPaths.schemas.appendingPathComponent("README.md")

    @Test func theCommittedPageIsCurrent() throws {
        let generated = try StandardReference(directory: TestPaths.schemas).markdown()
        let committed = try String(contentsOf: Self.page, encoding: .utf8)
        let firstDifference = zip(generated.split(separator: "\n", omittingEmptySubsequences: false),
                                  committed.split(separator: "\n", omittingEmptySubsequences: false))
            .enumerated().first { $0.element.0 != $0.element.1 }
        #expect(generated == committed, """
            Schemas/README.md is stale (first difference at line \((firstDifference?.offset ?? 0) + 1): \
            \(firstDifference.map { "\"\($0.element.1)\" should be \"\($0.element.0)\"" } ?? "the lengths differ")); \
            run `swift run hutong reference -o Schemas/README.md`
            """)
    }

    /// Read independently of the generator: every record type's own fields,
    /// every code, every quoted rule and every date order is on the page.
    @Test func everyFieldCodeAndRuleIsOnThePage() throws {
        let page = try StandardReference(directory: TestPaths.schemas).markdown()
        for name in StandardCatalog.recordTypeNames {
            let doc = try TestPaths.json(TestPaths.schemas.appendingPathComponent(name + ".json"))
            let section = try #require(page.components(separatedBy: "<a id=\"type-\(name)\"></a>").dropFirst().first?
                .components(separatedBy: "<a id=").first, "no section for \(name)")
            for (field, schema) in doc["properties"]?.objectValue?.members.map({ $0 }) ?? [] where field != "type" {
                #expect(section.contains("| `\(field)` |"), "\(name): field \(field) has no row")
                if let title = schema["title"]?.stringValue { #expect(section.contains("| `\(field)` | \(title) |"), "\(name): \(field) lacks its title \(title)") }
            }
            for rule in Self.strings(named: "x-rule", in: doc) {
                #expect(section.contains("- " + rule), "\(name): rule missing: \(rule)")
            }
            for pair in doc["x-date-order"]?.arrayValue ?? [] {
                let names = pair.arrayValue?.compactMap(\.stringValue) ?? []
                #expect(section.contains("(`\(names[0])`) is not later than") && section.contains("(`\(names[1])`)"), "\(name): date order \(names)")
            }
        }
        let codes = try FileManager.default.contentsOfDirectory(at: TestPaths.schemas.appendingPathComponent("codes"), includingPropertiesForKeys: nil)
        #expect(codes.count > 10)
        for file in codes where file.pathExtension == "json" {
            let doc = try TestPaths.json(file)
            #expect(page.contains("`codes/\(file.lastPathComponent)`"))
            let values = (doc["enum"]?.arrayValue ?? []) + (doc["anyOf"]?.arrayValue ?? []).flatMap { $0["enum"]?.arrayValue ?? [] }
            #expect(!values.isEmpty, "\(file.lastPathComponent) has no codes")
            for v in values { #expect(page.contains("`\(v.stringValue ?? "?")`"), "\(file.lastPathComponent): code \(v) missing") }
        }
        // Personal fields are marked, so data people know what peers may see masked.
        #expect(page.contains("| `party.id_document.number` | 证件号码 | text, 1–64 characters | yes | *personal* |"))
        #expect(page.contains("| `party.id_document.kind` | 证件类型 | code: [证件类型](#code-id-document-kind) | yes |  |"))
    }

    /// A field added to a schema shows on the page, so a stale page is caught.
    @Test func aChangedSchemaChangesThePage() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("hutong-reference-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestPaths.schemas, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let before = try StandardReference(directory: copy).markdown()
        let file = copy.appendingPathComponent("penalty.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: #""delivery_method": {"#, with: #""hearing_held": { "title": "是否听证", "type": "boolean" }, "delivery_method": {"#)
            .write(to: file, atomically: true, encoding: .utf8)
        let after = try StandardReference(directory: copy).markdown()
        #expect(before != after)
        #expect(after.contains("| `hearing_held` | 是否听证 | true or false |  |  |"))
    }

    static func strings(named key: String, in value: JSONValue) -> [String] {
        switch value {
        case .object(let o): o.members.flatMap { k, v in k == key ? [v.stringValue].compactMap { $0 } : strings(named: key, in: v) }
        case .array(let a): a.flatMap { strings(named: key, in: $0) }
        default: []
        }
    }
}
