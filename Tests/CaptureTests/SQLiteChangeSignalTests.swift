import Dispatch
import Foundation
import GRDB
import Testing
@testable import Capture

/// A commit is reported when its files change and once more a little later:
/// a read woken by the commit's first write can run before the commit is
/// published, and nothing else would change the files again.
@Suite struct SQLiteChangeSignalTests {
    @Test func aChangeIsReportedAgainOnceAfterItsDelay() throws {
        let dir = NSTemporaryDirectory() + "hutong-signal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/agency.sqlite"
        let clerk = try DatabaseQueue(path: path)
        _ = try clerk.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode = WAL") }
        try clerk.write { try $0.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)") }

        let delay = 0.3
        let signal = try SQLiteChangeSignal(path: path, wake: DispatchSemaphore(value: 0), echoDelay: delay)
        #expect(signal.changed(), "the first look always reports a change")
        Thread.sleep(forTimeInterval: delay + 0.05)
        #expect(signal.changed(), "the first look's echo")
        #expect(!signal.changed() && !signal.looksAgain, "nothing changed since")

        try clerk.write { try $0.execute(sql: "INSERT INTO t (v) VALUES ('a')") }
        #expect(signal.changed())
        #expect(signal.looksAgain)
        #expect(!signal.changed(), "not again at once: the writes of one commit wake the capture several times")
        Thread.sleep(forTimeInterval: delay + 0.05)
        #expect(signal.changed(), "once more after the delay")
        #expect(!signal.looksAgain)
        #expect(!signal.changed())
    }
}
