import Testing
@testable import Normalise

/// A mapping that cannot work is refused when it is loaded, with every
/// problem, its line and, where one is close, a suggestion.
@Suite struct MappingLoadTests {
    typealias F = NormaliseFixtures

    @Test func theMinimalMappingLoads() throws {
        let m = try F.mapping(F.penalty())
        #expect(m.recordType == "penalty" && m.columns["WSH"] == 5)
    }

    @Test func tomlSyntaxErrorsNameTheLine() {
        let p = F.problems("[mapping]\ntype = \"penalty\"\n[field]\ndecision_number = \"WSH\n")
        #expect(p.count == 1 && p[0].hasPrefix("4: not valid TOML"), "\(p)")
    }

    @Test func unknownNamesGetSuggestions() {
        let p = F.problems(F.penalty("""
            [field.fine_fen]
            from = "FK"
            do = ["trimm", { money = "wanyuan" }]

            [field.party.credit_cod]
            from = "DM"
            form = "X"
            """))
        #expect(p.contains { $0.hasPrefix("25: unknown step \"trimm\"") && $0.contains("did you mean trim?") }, "\(p)")
        #expect(p.contains { $0.hasPrefix("25: money unit \"wanyuan\"") }, "\(p)")
        #expect(p.contains { $0.hasPrefix("27: penalty has no field party.credit_cod; did you mean party.credit_code?") }, "\(p)")
    }

    /// A mapping that lists its source's columns has every column it reads
    /// checked when it is loaded, with the line and the closest listed name.
    @Test func columnsTheSourceDoesNotListAreErrorsAtLoad() {
        let listed = #"["WSH", "MC_", "WFXW", "SY", "YJ", "CFLB", "NR", "JDRQ", "YXQ", "JG", "JGDM", "GXSJ", "XZQH"]"#
        let p = F.problems(F.penalty("[source]\ncolumns = \(listed)\n"))
        #expect(p.count == 1 && p[0].hasPrefix("7: unknown column MC; did you mean MC_?"), "\(p)")
        #expect(F.problems(F.penalty("[source]\ncolumns = \(listed.replacingOccurrences(of: "MC_", with: "MC"))\n")).isEmpty)
        #expect(F.problems(F.penalty("[source]\ncolumns = 3\n")).contains { $0.contains("columns must be a text or a list of texts") })
    }

    @Test func unknownKeysInAFieldAreErrors() {
        let p = F.problems(F.penalty("[field.remarks]\nform = \"BZ\"\n"))
        #expect(p.contains { $0.hasPrefix("24: unknown key form in remarks; did you mean from?") }, "\(p)")
    }

    @Test func wrongRecordTypeOrSection() {
        #expect(F.problems("[mapping]\ntype = \"penalties\"\n").first?.contains("did you mean penalty?") == true)
        #expect(F.problems(F.penalty("[feild.remarks]\nfrom = \"BZ\"\n")).contains { $0.hasPrefix("23: unknown section [feild]; did you mean field?") })
    }

    /// Steps say what they take: a text step after money, money after split,
    /// a list into a single field, text into a number field.
    @Test func stepsOnTheWrongKindOfValue() {
        let p = F.problems(F.penalty("""
            [field.fine_fen]
            from = "FK"
            do = [{ money = "yuan" }, "upper"]

            [field.confiscation_fen]
            from = "WF"
            do = ["split", "money"]

            [field.remarks]
            from = "BZ"
            do = ["split"]

            [field.matter_code]
            from = "SX"
            do = [{ money = "yuan" }]

            [field.license_action]
            from = "ZK"
            do = ["trim"]
            """))
        #expect(p.contains { $0.hasPrefix("25: fine_fen: upper works on text, but it gets a whole number") }, "\(p)")
        #expect(p.contains { $0.hasPrefix("29: confiscation_fen: money works on one value, but it gets a list") }, "\(p)")
        #expect(p.contains { $0.hasPrefix("33: remarks: the steps give a list of texts, but remarks holds text") }, "\(p)")
        #expect(p.contains { $0.hasPrefix("37: matter_code: the steps give a whole number, but matter_code holds text") }, "\(p)")
        #expect(p.count == 4, "\(p)")
    }

    @Test func aFieldWithoutTheStepsItNeeds() {
        let p = F.problems(F.penalty("[field.fine_fen]\nfrom = \"FK\"\ndo = [\"trim\"]\n"))
        #expect(p.contains { $0.contains("fine_fen: the steps give text, but fine_fen holds a whole number (add a step that makes a number") }, "\(p)")
    }

    @Test func requiredFieldsMustBeMade() {
        let text = F.penalty().replacingOccurrences(of: "legal_basis = \"YJ\"\n", with: "").replacingOccurrences(of: "\"party.name\" = \"MC\"\n", with: "")
        let p = F.problems(text)
        #expect(p.count == 1 && p[0].contains("legal_basis (处罚依据)") && p[0].contains("party.name"), "\(p)")
    }

    @Test func conditionsThatFormACycleAreRefused() {
        let p = F.problems(F.penalty("""
            [field.remarks]
            from = "BZ"
            when = { field = "matter_code", empty = false }

            [field.matter_code]
            from = "SX"
            when = { field = "remarks", empty = false }
            """))
        #expect(p.contains { $0.contains("form a cycle") && $0.contains("remarks") && $0.contains("matter_code") }, "\(p)")
    }

    /// Constants and code tables are held to the field's code list.
    @Test func codesOutsideTheListAreRefused() {
        let p = F.problems(F.penalty("""
            [field.status]
            from = "ZT"
            do = [{ codes = "zt" }]

            [field.case_source]
            const = "举报"

            [codes.zt]
            map = { "A" = "0", "B" = "正常" }
            """))
        #expect(p.contains { $0.contains("code table zt gives values that are not codes of record-status") && $0.contains("\"B\" → \"正常\"") }, "\(p)")
        #expect(p.contains { $0.contains("the const \"举报\" of case_source is not a code of case-source") }, "\(p)")
    }

    @Test func testCasesAreCheckedToo() {
        let p = F.problems(F.penalty("""
            [[test]]
            name = "typo"
            input = { WHS = "x" }
            expect = { decison_number = "x" }
            """))
        #expect(p.contains { $0.contains("column WHS is read by no field of the mapping; did you mean WSH?") }, "\(p)")
        #expect(p.contains { $0.contains("expects field decison_number") && $0.contains("did you mean decision_number?") }, "\(p)")
    }

    /// The worked example loads and its own cases pass.
    @Test func theWorkedExampleLoads() throws {
        let m = try Mapping(file: F.example.appendingPathComponent("penalty.toml").path, dictionary: F.dictionary)
        #expect(m.tests.count >= 10)
        #expect(m.key == ["ID"])
    }
}
