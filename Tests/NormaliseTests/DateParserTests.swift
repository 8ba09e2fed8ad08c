import Testing
@testable import Normalise

@Suite struct DateParserTests {
    @Test(arguments: [
        ("2023-05-01", "2023-05-01"), ("2023/5/1", "2023-05-01"), ("2023.05.01", "2023-05-01"), ("20230501", "2023-05-01"),
        ("2023年5月1日", "2023-05-01"), ("２０２３年５月１日", "2023-05-01"), ("2023年05月01号", "2023-05-01"), (" 2023-5-1 ", "2023-05-01"),
        ("2023-05-01 12:30:05", "2023-05-01"), ("2023/5/1 8:05", "2023-05-01"), ("2023年5月1日 12时30分", "2023-05-01"),
        ("2023-05-01T12:30:00+08:00", "2023-05-01"), ("20230501123005", "2023-05-01"), ("2024-02-29", "2024-02-29"), ("2000-02-29", "2000-02-29"),
    ])
    func readsEveryStyle(_ text: String, _ iso: String) throws {
        #expect(try DateParser.parse(text).isoDate == iso)
    }

    /// A day the calendar does not have is an error, never the next month.
    @Test(arguments: ["2023年2月30日", "2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01", "2023-00-10", "2023-05-00", "2023-05-01 24:00"])
    func impossibleDatesAreRefused(_ text: String) {
        do {
            _ = try DateParser.parse(text)
            Issue.record("\(text) was read as a date")
        } catch {
            #expect(error != .unreadable, "\(text) is written well; the calendar has no such day")
        }
    }

    @Test(arguments: ["", "三年", "2023", "2023-5", "05/01/2023", "2023-05-01x", "2023-05-01 12", "45047", "2023/05-01", "2023年5月"])
    func unreadableTextIsNotADate(_ text: String) {
        #expect(throws: DateProblem.unreadable) { _ = try DateParser.parse(text) }
    }

    @Test func dateTimesKeepTheirZoneOrTakeTheDefault() throws {
        #expect(try DateParser.parse("2023-05-01 09:30").isoDateTime(defaultZone: 480) == "2023-05-01T09:30:00+08:00")
        #expect(try DateParser.parse("2023-05-01T09:30:00.25Z").isoDateTime(defaultZone: 480) == "2023-05-01T09:30:00.25Z")
        #expect(try DateParser.parse("2023-05-01 09:30:00-05:00").isoDateTime(defaultZone: 480) == "2023-05-01T09:30:00-05:00")
        #expect(try DateParser.parse("2023年5月1日").isoDateTime(defaultZone: 480) == "2023-05-01T00:00:00+08:00")
    }

    @Test func noSuchDateSaysWhy() {
        #expect(throws: DateProblem.noSuchDate("2023年2月 has 28 days")) { _ = try DateParser.parse("2023年2月30日") }
    }
}
