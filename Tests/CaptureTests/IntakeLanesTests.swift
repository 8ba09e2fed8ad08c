import Foundation
import HutongTesting
import Normalise
import Testing
@testable import Capture
@testable import Standard
@testable import Store

/// Batches large enough to be shared out over the cores give exactly what
/// one core gives: the same records, the same quarantine entries at the same
/// places, reasons in source order, positions acknowledged in order.
@Suite struct IntakeLanesTests {
    /// What an intake did, in a form two runs can be compared by.
    struct Outcome: Equatable {
        let counts: [String: Int]
        let reasons: [String]
        let hashes: [String]
        let quarantine: [String]
    }

    func outcome(_ store: SQLiteNodeStore, _ report: IntakeReport) throws -> Outcome {
        Outcome(counts: report.counts, reasons: report.quarantineReasons,
                hashes: try store.records(type: "penalty", after: nil, limit: 10_000).map(\.hash).sorted(),
                quarantine: try store.quarantine(limit: 10_000).map { "\($0.place ?? "") \($0.reason)" }.sorted())
    }

    @Test(arguments: [1, 2, 4])
    func recordsAreTakenInOrderWhateverTheLanes(_ workers: Int) throws {
        var lines = try CaptureFixtures.lines(700, seed: 5)
        lines[3] = "{not json"
        lines[150] = "[1, 2]"
        lines[400] = lines[400].replacingOccurrences(of: "\"decision_number\"", with: "\"decision_no\"")
        lines[699] = "{\"type\":\"penalty\"}"
        let one = try CaptureFixtures.store()
        var single = LineSource(lines: lines, perBatch: 250)
        let expected = try outcome(one, try Intake(store: one, catalog: CaptureFixtures.catalog, workers: 1).run(&single))
        let many = try CaptureFixtures.store()
        var source = LineSource(lines: lines, perBatch: 250)
        let report = try Intake(store: many, catalog: CaptureFixtures.catalog, transactionSize: 100, workers: workers).run(&source)
        #expect(try outcome(many, report) == expected)
        #expect(report.counts["written"] == 696 && report.quarantined == 4)
        // Counted by type: what is not JSON or not a record under "unknown".
        #expect(report.countsByType == ["penalty": ["written": 696]] && report.quarantinedByType == ["unknown": 2, "penalty": 2], "\(report.quarantinedByType)")
        let places = ["outbox:row 4:", "outbox:row 151:", "outbox:row 401:", "outbox:row 700:"]
        #expect(report.quarantineReasons.count == 4 && zip(report.quarantineReasons, places).allSatisfy { $0.hasPrefix($1) }, "\(report.quarantineReasons)")
        #expect(source.acknowledged == [250, 500, 700].map { SourcePosition($0) })
    }

    /// A legacy export of a few hundred rows (the worked example's rows again
    /// and again, each copy its own decisions), mapped on several cores.
    @Test func mappedRowsAreTheSameOnEveryLane() throws {
        let example = TestRepository.root.appendingPathComponent("deploy/examples/legacy-penalty")
        let text = try String(contentsOf: example.appendingPathComponent("xzcf-2023.csv"), encoding: .utf8)
        // By scalars: the file's lines end in CR LF, one Character in Swift.
        let scalars = text.unicodeScalars
        let headerEnd = try #require(scalars.firstIndex(of: "\n"))
        var csv = String(scalars[...headerEnd])
        var body = String(scalars[scalars.index(after: headerEnd)...])
        if body.unicodeScalars.last != "\n" { body += "\r\n" }
        for copy in 1...60 { csv += body.replacingOccurrences(of: "罚〔", with: "罚\(copy)〔") }
        let path = try TestRepository.temporaryDirectory("hutong-lanes") + "/xzcf.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let mapping = try Mapping(file: example.appendingPathComponent("penalty.toml").path,
                                  dictionary: try DataDictionary(directory: TestRepository.schemas))
        var results: [Outcome] = []
        for workers in [1, 2] {
            let store = try CaptureFixtures.store()
            var source = try MappedSource.file(path, mapping: mapping)
            let report = try Intake(store: store, catalog: CaptureFixtures.catalog, workers: workers).run(&source)
            #expect(report.counts["written"] == 300 && report.quarantined == 180, "\(report)")
            results.append(try outcome(store, report))
        }
        #expect(results[0] == results[1])
        // Each quarantined row keeps its own place: its line and key.
        let places = Set(results[1].quarantine.map { $0.prefix { $0 != " " } + $0.drop { $0 != " " }.prefix(12) })
        #expect(places.count == 180)
        #expect(results[1].quarantine.filter { $0.contains("(ID=1006)") }.count == 60)
    }
}

/// Transactions queued behind the store's thread run in order, and none runs
/// after one has failed: what they would store belongs after the failure.
@Suite struct WriteBehindTests {
    struct Refused: Error {}

    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var ran: [Int] = []
        func add(_ n: Int) { lock.lock(); ran.append(n); lock.unlock() }
        var all: [Int] { lock.lock(); defer { lock.unlock() }; return ran }
    }

    func job(_ n: Int, _ log: Log, fails: Bool = false) -> Job {
        Job(run: {
            Thread.sleep(forTimeInterval: 0.01)
            log.add(n)
            if fails { throw Refused() }
            return { $0.quarantined += n }
        }, positions: [])
    }

    @Test func jobsRunInOrderAndStopAtTheFirstFailure() throws {
        let log = Log()
        let writer = WriteBehind()
        writer.start(job(1, log))
        writer.start(job(2, log, fails: true))
        writer.start(job(3, log))
        #expect(writer.inFlight == 3)
        var report = IntakeReport(source: "test")
        let (_, first) = try #require(writer.oldest())
        try first.get()(&report)
        #expect(report.quarantined == 1)
        let (_, second) = try #require(writer.oldest())
        #expect(throws: Refused.self) { try second.get() }
        let (_, third) = try #require(writer.oldest())
        #expect(throws: CancellationError.self) { try third.get() }
        #expect(writer.oldest() == nil)
        #expect(log.all == [1, 2])
    }
}
