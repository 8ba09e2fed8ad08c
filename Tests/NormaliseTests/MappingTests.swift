import HutongTesting
import JSON
import Standard
import Testing
@testable import Normalise

/// Rows through mappings: records, conditions, problems that name the field
/// and mask personal values, and the test cases shipped in a mapping.
@Suite struct MappingTests {
    typealias F = NormaliseFixtures

    static let full: KeyValuePairs<String, String> = [
        "WSH": "苏市监罚〔２０２３〕１２号", "MC": "恒达电器有限公司", "WFXW": "销售不合格产品", "SY": "抽检不合格。", "YJ": "产品质量法第四十九条",
        "CFLB": "警告、罚款", "NR": "警告；罚款。", "JDRQ": "2023年5月1日", "YXQ": "2026/4/30", "JG": "苏州市市场监督管理局",
        "JGDM": "1132050001429533XR", "GXSJ": "2023-05-02 09:30", "XZQH": "320500", "FK": "1.5", "FRDB": "张伟", "ZJHM": "320505198503120419",
        "DM": "91320505MA1XK3B73X",
    ]

    static let organisation = """
        [field.fine_fen]
        from = "FK"
        do = [{ money = "wan_yuan" }]

        [field.party.credit_code]
        from = "DM"

        [field.party.legal_representative.name]
        from = "FRDB"

        [field.party.legal_representative.id_document]
        kind = { const = "身份证" }
        number = "ZJHM"
        """

    @Test func aRowBecomesAValidRecord() throws {
        let m = try F.mapping(F.penalty(Self.organisation))
        let record = try m.map(F.row(Self.full)).get()
        #expect(record["decision_number"] == "苏市监罚〔２０２３〕１２号")
        #expect(record["penalty_kinds"] == ["警告", "罚款"])
        #expect(record["fine_fen"] == 1_500_000)
        #expect(record["decision_date"] == "2023-05-01" && record["updated_at"] == "2023-05-02T09:30:00+08:00")
        #expect(record["party"]?["legal_representative"]?["id_document"]?["number"] == "320505198503120419")
        #expect(record["type"] == "penalty")
        let verdict = RecordGate(catalog: TestRepository.catalog).check(record)
        #expect(verdict.isAcceptable, "\(verdict.reason())")
    }

    /// A mapped record's objects come in canonical key order, marked so that
    /// writing it skips the sorting: its canonical text (and so its hash) is
    /// that of the same record read back from any text, and a key added
    /// later is put in its place.
    @Test func aMappedRecordIsWrittenInCanonicalOrder() throws {
        let m = try F.mapping(F.penalty(Self.organisation))
        var record = try m.map(F.row(Self.full)).get()
        func canonical(_ v: JSONValue) -> String {
            var out: [UInt8] = []
            JSONWriter.write(v, into: &out, style: .canonical)
            return String(decoding: out, as: UTF8.self)
        }
        let compact = JSONWriter.string(record)
        let readBack = try Array(compact.utf8).withUnsafeBufferPointer { try JSONParser.parse($0) }
        #expect(canonical(record) == canonical(readBack))
        #expect(compact == canonical(record), "the layout's own order is the canonical one")
        guard case .object(var o) = record else { Issue.record("not an object"); return }
        #expect(o.inCanonicalOrder)
        o["aaa_added"] = "x"
        #expect(!o.inCanonicalOrder)
        record = .object(o)
        #expect(canonical(record).hasPrefix(#"{"aaa_added":"x","#))
    }

    /// A bad value stops its row only, and the problem names the field, the
    /// step and the value, masked where the field is personal.
    @Test func problemsNameTheFieldAndMaskPersonalValues() throws {
        let m = try F.mapping(F.penalty(Self.organisation + """

            [field.party.id_document.number]
            from = "XDRZJ"
            do = ["date"]
            when = { column = "LB", is = "自然人" }

            [field.party.id_document.kind]
            const = "身份证"
            when = { column = "LB", is = "自然人" }
            """))
        var row = Self.full.map { ($0.key, $0.value) }
        row.append(("XDRZJ", "3205051985031204X9"))
        row.append(("LB", "自然人"))
        let problem = try #require(m.map(F.row(row)).failureValue)
        #expect(problem.field == "party.id_document.number" && problem.kind == .badDate && problem.step == "date")
        #expect(problem.value == "320505********04X9")
        #expect(!problem.description.contains("3205051985031204X9"))
        // The condition does not hold: the field is left out and the row maps.
        row[row.count - 1] = ("LB", "法人及非法人组织")
        #expect(try m.map(F.row(row)).get()["party"]?["id_document"] == nil)
    }

    /// An ID number Excel rounded into scientific notation cannot be mapped
    /// back: the row is quarantined saying so, not given a pattern error.
    @Test func excelsScientificNotationIsNamed() throws {
        let m = try F.mapping(F.penalty(Self.organisation))
        for rounded in ["3.20505E+17", "9.1320505E+17", "1E+15", "3.20505e+17"] {
            var row = Self.full.map { ($0.key, $0.value) }
            row[row.firstIndex { $0.0 == "ZJHM" }!].1 = rounded
            let problem = try #require(m.map(F.row(row)).failureValue, "\(rounded)")
            #expect(problem.kind == .excelNumber && problem.field == "party.legal_representative.id_document.number")
            #expect(problem.reason.contains("export the column as text"))
        }
        // Text that only resembles it is left alone.
        for text in ["3.2E+170000", "E+17", "0.5E+3", "苏1E+15", "1.5E-3"] {
            #expect(!Mapping.looksLikeExcelScientific(text), "\(text)")
        }
    }

    /// A value met again takes the result its steps gave the first time: the
    /// same record, row after row, as a mapping that keeps nothing makes; a
    /// value that fails fails every time with the same problem; a table that
    /// fills up starts over.
    @Test func repeatedValuesMapAsTheFirstTime() throws {
        let m = try F.mapping(F.penalty(Self.organisation))
        #expect(m.casePlans.contains { $0.memoSlot >= 0 }, "dates, codes and money are kept")
        func row(_ date: String, _ kinds: String, _ fine: String) -> SourceRow {
            var r = Self.full.map { ($0.key, $0.value) }
            for (k, v) in [("JDRQ", date), ("CFLB", kinds), ("FK", fine)] { r[r.firstIndex { $0.0 == k }!].1 = v }
            return F.row(r)
        }
        let rows = (0..<(StepMemo.capacity + 50)).map { i in
            row("2023年\(i % 12 + 1)月\(i % 28 + 1)日", ["警告", "罚款", "警告、罚款"][i % 3], "\(i % 7).5")
        }
        // Each row as mapped with coverage counted (every step run, nothing
        // looked up) and by `m`, twice over: the second round after the table
        // filled up and started over.
        for round in 0..<2 {
            for (i, r) in rows.enumerated() where round == 0 || i % 97 == 0 {
                var coverage: MappingCoverage? = MappingCoverage(m)
                #expect(try m.map(r).get() == m.map(r, coverage: &coverage).get(), "row \(i), round \(round)")
            }
        }
        // Amounts that never repeat: the table fills finding nothing and is
        // given up; every row still maps as its steps say.
        for i in 0..<(StepMemo.capacity + 500) {
            let r = row("2023年5月1日", "罚款", "\(i).25")
            let record = try m.map(r).get()
            #expect(record["fine_fen"] == .int(Int64(i) * 1_000_000 + 250_000), "amount \(i)")
            if i % 50 == 0 {
                var coverage: MappingCoverage? = MappingCoverage(m)
                #expect(try record == m.map(r, coverage: &coverage).get(), "amount \(i)")
            }
        }
        for _ in 0..<3 {
            let problem = try #require(m.map(row("2023年2月30日", "警告", "1")).failureValue)
            #expect(problem.kind == .noSuchDate && problem.field == "decision_date" && problem.value == "2023年2月30日")
        }
        #expect(try m.map(row("2023年2月28日", "警告", "1")).get()["decision_date"] == "2023-02-28")
    }

    /// Which columns hold the party's name and document depends on another field.
    @Test func casesChooseByAnotherField() throws {
        let m = try F.mapping(F.penalty().replacingOccurrences(of: "\"party.kind\" = { const = \"法人及非法人组织\" }\n", with: "").replacingOccurrences(of: "\"party.name\" = \"MC\"\n", with: "") + """

            [field.party.kind]
            from = "LB"
            do = [{ codes = "lb" }]

            [field.party.name]
            cases = [
              { when = { field = "party.kind", is = "自然人" }, from = "XM" },
              { from = "MC" },
            ]

            [codes.lb]
            standard = "party-kind"
            map = { "2" = "自然人", "1" = "法人及非法人组织" }
            """)
        var row = Self.full.map { ($0.key, $0.value) }
        row += [("LB", "2"), ("XM", "李娜")]
        #expect(try m.map(F.row(row)).get()["party"]?["name"] == "李娜")
        row[row.count - 2] = ("LB", "1")
        #expect(try m.map(F.row(row)).get()["party"]?["name"] == "恒达电器有限公司")
        row[row.count - 2] = ("LB", "9")
        #expect(try m.map(F.row(row)).failureValue?.kind == .unknownCode)
    }

    @Test func templatesDefaultsAndCoalesce() throws {
        let m = try F.mapping(F.penalty("""
            [field.remarks]
            template = "{JG}（{JGDM}）"

            [field.status]
            from = ["ZT", "ZT2"]
            default = "0"
            """))
        let r1 = try m.map(F.row(Self.full)).get()
        #expect(r1["remarks"] == "苏州市市场监督管理局（1132050001429533XR）" && r1["status"] == "0")
        let r2 = try m.map(F.row(Self.full.map { ($0.key, $0.value) } + [("ZT", " "), ("ZT2", "1")])).get()
        #expect(r2["status"] == "1")
    }

    /// The worked example's own cases pass, they reach most branches, and a
    /// case that expects the wrong value fails with what it got.
    @Test func theExampleCasesPassAndAWrongOneFails() throws {
        let path = F.example.appendingPathComponent("penalty.toml").path
        let gate = RecordGate(catalog: TestRepository.catalog)
        let report = try Mapping(file: path, dictionary: F.dictionary).runTests(gate: gate)
        #expect(report.failed == 0, "\(report.results.filter { !$0.passed }.map { "\($0.test): \($0.failures)" })")
        let (tried, total) = report.coverage.counts
        #expect(tried > total / 2, "\(tried) of \(total)")
        #expect(report.coverage.lines.contains("✓ penalty_kinds: codes penalty-kind unknown-code"))

        let wrong = try F.mapping(F.penalty("""
            [[test]]
            name = "wrong"
            input = { JDRQ = "2023年5月1日", CFLB = "罚没" }
            expect = { decision_date = "2023-05-02" }

            [[test]]
            name = "expects quarantine, gets a record"
            input = { JDRQ = "2023年5月1日" }
            expect_quarantine = { field = "decision_date" }
            """)).runTests(gate: gate)
        #expect(wrong.results.map(\.passed) == [false, false])
        #expect(wrong.results[0].failures.first?.contains("the row was quarantined: penalty_kinds") == true, "\(wrong.results[0].failures)")
        #expect(wrong.results[1].failures.first?.contains("quarantined, but not as expected") == true, "\(wrong.results[1].failures)")
    }
}

extension Result {
    var failureValue: Failure? { if case .failure(let f) = self { f } else { nil } }
}
