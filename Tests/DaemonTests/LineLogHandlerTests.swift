import Foundation
import Logging
import Testing
@testable import Daemon

@Suite struct LineLogHandlerTests {
    @Test func eachFormatWritesOneLine() throws {
        let at = Date(timeIntervalSince1970: 1_796_385_600)
        // journald: the priority, no timestamp of its own, one line.
        #expect(LineLogHandler.line(level: .warning, message: "sync node-b: failed:\nrefused", format: .journal, now: at) == "<4>sync node-b: failed: refused")
        #expect(LineLogHandler.line(level: .info, message: "ready", format: .journal) == "<6>ready")
        #expect(LineLogHandler.line(level: .info, message: "ready", format: .plain, now: at) == "2026-12-04T12:00:00Z info ready")
        let json = LineLogHandler.line(level: .error, message: "a \"quoted\" \\ name\u{1}", format: .json, now: at)
        #expect(json == #"{"at":"2026-12-04T12:00:00Z","level":"error","message":"a \"quoted\" \\ name\u0001"}"#)
        #expect((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])?["message"] == "a \"quoted\" \\ name\u{1}")
        #expect(LineLogHandler.defaultFormat(environment: ["JOURNAL_STREAM": "8:1234"]) == .journal)
        #expect(LineLogHandler.defaultFormat(environment: [:]) == .plain)
    }
}
