import Foundation
import Testing
@testable import Daemon

@Suite struct RestWatchTests {
    @Test func aRestIsSeenOnceAfterTheLogStaysStill() {
        var watch = RestWatch()
        let t0 = Date()
        func at(_ sequence: Int64, _ seconds: TimeInterval) -> Bool { watch.settled(sequence, now: t0.addingTimeInterval(seconds)) }
        let quiet = RestWatch.quiet
        let seen = [at(5, 0), at(5, quiet - 1), at(5, quiet),
                    // Once per rest: not again while the log stays where it is.
                    at(5, quiet * 3),
                    // A change starts the wait over.
                    at(6, quiet * 3), at(6, quiet * 4)]
        #expect(seen == [false, false, true, false, false, true])
    }

    /// The pages of this test program's code that are resident, in kB (`/proc/self/smaps`).
    static func residentCode() throws -> Int {
        let program = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var inProgram = false, kb = 0
        for line in try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 5, fields[0].contains("-"), fields[3].contains(":") {
                inProgram = fields.count >= 6 && fields[5] == program && !fields[1].contains("w")
            } else if inProgram, fields.first == "Rss:", fields.count >= 2 {
                kb += Int(fields[1]) ?? 0
            }
        }
        return kb
    }

    /// The program's code touched so far is let go: far less of it is resident after.
    /// Tests running beside this one fault their code back in at once, so the best of
    /// three tries counts, and a quarter let go is enough to show the pages go.
    @Test func theProgramsCodePagesAreGivenBack() throws {
        var tries: [(before: Int, after: Int)] = []
        for _ in 0..<3 {
            let before = try Self.residentCode()
            RestWatch.releaseCode()
            tries.append((before, try Self.residentCode()))
            if let last = tries.last, last.after < last.before * 3 / 4 { break }
        }
        let best = tries.min { $0.after * 1000 / max($0.before, 1) < $1.after * 1000 / max($1.before, 1) }!
        #expect(best.before > 1_024 && best.after < best.before * 3 / 4,
                "resident code: \(best.before) kB before, \(best.after) kB after")
    }
}
