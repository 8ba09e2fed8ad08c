import Testing
@testable import JSONSchema

@Suite struct DateFormatTests {
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
}
