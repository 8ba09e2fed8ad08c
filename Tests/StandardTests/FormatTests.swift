import Testing
@testable import Standard

@Suite struct FormatTests {
    @Test func usccCheckCharacters() {
        #expect(ChineseIdentifiers.uscc("91310110666007217T") == .valid)
        #expect(ChineseIdentifiers.uscc("91310115591693856A") == .valid)
        // A wrong check character is a warning that names both characters.
        #expect(ChineseIdentifiers.uscc("913101106660072177") == .warning("check character is 7, expected T"))
        guard case .invalid(let why) = ChineseIdentifiers.uscc("91310110666OO7217T") else { Issue.record("O accepted"); return }
        #expect(why.contains("'O'") && why.contains("character 12"))
        guard case .invalid(let lower) = ChineseIdentifiers.uscc("91310110666007217t") else { Issue.record("lower case accepted"); return }
        #expect(lower.contains("capital"))
        #expect(ChineseIdentifiers.uscc("9131011066600721") == .invalid("must be 18 characters long; it has 16"))
        guard case .invalid(let region) = ChineseIdentifiers.uscc("91AB0110666007217T") else { Issue.record("letters in region accepted"); return }
        #expect(region.contains("行政区划代码"))
    }

    @Test func embeddedOrganisationCodeIsChecked() {
        // Valid USCC check character, but the embedded 组织机构代码 check (position 17) is off.
        var body = Array("91310110666007218".utf8)
        let check = ChineseIdentifiers.usccCheckCharacter(body)!
        body.append(Array(String(check).utf8)[0])
        guard case .warning(let why) = ChineseIdentifiers.uscc(String(decoding: body, as: UTF8.self)) else { Issue.record("not a warning"); return }
        #expect(why.contains("组织机构代码"))
    }

    @Test func residentIDs() {
        #expect(ChineseIdentifiers.residentID("11010519491231002X") == .valid)
        #expect(ChineseIdentifiers.residentID("440524188001010014") == .valid)
        #expect(ChineseIdentifiers.residentID("110105194912310021") != .valid)
        #expect(ChineseIdentifiers.residentID("11010519491231002x") == .invalid("must end in a capital X, not x"))
        guard case .invalid(let old) = ChineseIdentifiers.residentID("110105491231002") else { Issue.record("15 digits accepted"); return }
        #expect(old.contains("15-digit"))
        guard case .invalid(let date) = ChineseIdentifiers.residentID("110105194902300027") else { Issue.record("30 Feb accepted"); return }
        #expect(date.contains("birth date"))
        // The number itself never appears in a message: it is personal information.
        for bad in ["110105194912310021", "11010519491331002X", "990105194912310021"] {
            if case .invalid(let why) = ChineseIdentifiers.residentID(bad) { #expect(!why.contains(bad.prefix(10))) }
        }
    }

    @Test func organisationCodesAndDivisions() {
        #expect(ChineseIdentifiers.orgCode("66600721-7") == .valid)
        #expect(ChineseIdentifiers.orgCode("666007217") == .valid)
        #expect(ChineseIdentifiers.orgCode("66600721-8") == .invalid("check character is 8, expected 7"))
        #expect(ChineseIdentifiers.adminDivision("110108") == .valid)
        #expect(ChineseIdentifiers.adminDivision("990108") != .valid)
        #expect(ChineseIdentifiers.adminDivision("11010") != .valid)
    }

    @Test func dates() {
        #expect(DateFormats.date("2024-02-29") == .valid)
        #expect(DateFormats.date("2023-02-29") != .valid)
        #expect(DateFormats.date("2099-12-31") == .valid)
        guard case .invalid(let cn) = DateFormats.date("2023年5月1日") else { Issue.record("Chinese date accepted"); return }
        #expect(cn.contains("YYYY-MM-DD"))
        #expect(DateFormats.dateTime("2024-03-01T09:30:00+08:00") == .valid)
        #expect(DateFormats.dateTime("2024-03-01 09:30:00") != .valid)
        #expect(Array("2024-03-01T09:30:00+08:00".utf8).withUnsafeBufferPointer { DateFormats.startsWithDate($0) })
        #expect(!Array("2024-03-01x".utf8).withUnsafeBufferPointer { DateFormats.startsWithDate($0) })
    }

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
        let schema = try JSONSchema(uri: "https://t.test/s.json", registry: registry)
        let issues = schema.validate(["id": "110105194912310021", "code": "110105194912310021"])
        let id = try #require(issues.first { $0.instanceLocation == "/id" })
        #expect(id.message.contains("110105********0021"))
        #expect(!id.message.contains("110105194912310021"))
        // A field not marked personal is quoted as it is.
        #expect(issues.first { $0.instanceLocation == "/code" }?.message.contains("110105194912310021") == true)
    }
}
