import Testing
@testable import Standard
import JSONSchema

/// The Chinese identifier formats, with their real check algorithms.
@Suite struct ChineseIdentifierTests {
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
}
