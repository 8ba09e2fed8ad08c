import Testing
@testable import Normalise

@Suite struct StepTests {
    typealias F = NormaliseFixtures

    var penaltyKinds: CodeTable {
        CodeTable(name: "penalty-kind", entries: CodeTable.standard(F.dictionary.codeLists["penalty-kind"]!), unknown: .quarantine)
    }

    func run(_ steps: [Step], _ text: String) throws(Step.Failure) -> MappedValue {
        var v = MappedValue.text(text)
        for s in steps { v = try s.apply(v).0 }
        return v
    }

    func texts(_ v: MappedValue) -> [String] {
        if case .list(let l) = v { l.compactMap(\.text) } else { [v.text ?? ""] }
    }

    /// Entries of the code table that contain a separator are matched whole
    /// before splitting: the 2016 kind 没收违法所得、没收非法财物 is one value
    /// (standing for two 2021 kinds), and the 2021 kind 法律、行政法规规定的其他行政处罚 is one kind.
    @Test func splitKeepsCodesContainingASeparatorWhole() throws {
        let table = penaltyKinds
        let split = Step.split(MappingLoader.separators, protected: table.entries(containingAnyOf: MappingLoader.separators))
        #expect(texts(try run([split, .codes(table)], "没收违法所得、没收非法财物；罚款")) == ["没收违法所得", "没收非法财物", "罚款"])
        #expect(texts(try run([split, .codes(table)], "法律、行政法规规定的其他行政处罚，警告")) == ["法律、行政法规规定的其他行政处罚", "警告"])
        #expect(texts(try run([split, .codes(table)], "暂扣或者吊销许可证、暂扣或者吊销执照")) == ["暂扣许可证件", "吊销许可证件"])
        #expect(texts(try run([split, .codes(table)], " 警告 / 罚款;警告 ")) == ["警告", "罚款"])
        // Without the table's entries, the old kind falls apart into two values the table does not have.
        #expect(throws: Step.Failure.self) { _ = try run([.split(MappingLoader.separators, protected: []), .codes(table)], "暂扣或者吊销许可证、暂扣或者吊销执照") }
    }

    @Test func anUnknownCodeIsAProblemNamingTheTable() {
        do {
            _ = try run([.codes(penaltyKinds)], "罚没")
            Issue.record("an unknown code passed")
        } catch {
            #expect(error.kind == .unknownCode && error.reason.contains("penalty-kind"))
        }
    }

    /// Labels and older values lead to the code; case and full-width forms do not matter.
    @Test func codeTablesKnowLabelsAndFoldedForms() throws {
        let status = CodeTable(name: "record-status", entries: CodeTable.standard(F.dictionary.codeLists["record-status"]!), unknown: .quarantine)
        #expect(try run([.codes(status)], "撤销") == .text("1"))
        #expect(try run([.codes(status)], "１") == .text("1"))
        let local = CodeTable(name: "local", entries: ["fk": ["罚款"]], unknown: .default("警告"))
        #expect(try run([.codes(local)], "FK") == .text("罚款"))
        #expect(try run([.codes(local)], "other") == .text("警告"))
    }

    @Test func emptyIfAndIntegers() throws {
        #expect(try run([.emptyIf(["无", "/"])], " 无 ") == .empty)
        #expect(try run([.integer], "12.000") == .integer(12))
        #expect(throws: Step.Failure.self) { _ = try run([.integer], "12.5") }
    }
}
