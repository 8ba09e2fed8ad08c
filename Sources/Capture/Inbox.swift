import Foundation
import JSON
import Normalise

/// A folder agencies drop export files into (CSV, NDJSON, JSON). Each file is
/// taken whole once it has stopped changing, then moved to `done/` with a
/// report beside it, or to `rejected/` when it could not be read at all. A
/// file is moved only after its rows are stored or quarantined: a stop in
/// between takes it again, which stores nothing twice (equal content makes no
/// new version, and a row quarantined again is kept once).
public struct Inbox: Sendable {
    public let directory: URL
    /// The mapping files' rows are read through; nil: the files hold standard records.
    public let mapping: Mapping?
    /// A file is taken once it has not changed for this long (a `.part` file never).
    public let settleSeconds: TimeInterval

    public init(directory: URL, mapping: Mapping?, settleSeconds: TimeInterval = 10) {
        self.directory = directory
        self.mapping = mapping
        self.settleSeconds = settleSeconds
    }

    public var done: URL { directory.appendingPathComponent("done") }
    public var rejected: URL { directory.appendingPathComponent("rejected") }

    static let extensions: Set<String> = ["csv", "ndjson", "jsonl", "json", "txt"]

    /// Files ready to take, oldest first: regular files with a data
    /// extension, not hidden, not `.part`, unchanged for `settleSeconds`.
    public func ready(now: Date = Date()) throws -> [URL] {
        let fm = FileManager.default
        let items = try fm.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.isRegularFileKey, .contentModificationDateKey, .fileSizeKey])
        var out: [(URL, Date)] = []
        for url in items {
            let name = url.lastPathComponent
            guard !name.hasPrefix("."), !name.hasSuffix(".part"), Self.extensions.contains(url.pathExtension.lowercased()) else { continue }
            // A file moved away while the folder is read is simply not there.
            guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .contentModificationDateKey]),
                  values.isRegularFile == true, let modified = values.contentModificationDate else { continue }
            // Still being written: a file whose last change is this recent is left for the next pass.
            guard now.timeIntervalSince(modified) >= settleSeconds else { continue }
            out.append((url, modified))
        }
        return out.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0.lastPathComponent < $1.0.lastPathComponent) }.map(\.0)
    }

    /// What became of one file.
    public struct Outcome: Sendable {
        public let file: String
        /// Where it was moved.
        public let movedTo: String
        /// The intake's report, or why the file was rejected whole.
        public let report: IntakeReport?
        public let rejection: String?
    }

    /// Takes one file into the store through `intake`, then moves it with its report.
    public func take(_ file: URL, intake: Intake) throws -> Outcome {
        var report: IntakeReport?
        var rejection: String?
        do {
            if let mapping {
                var source = try MappedSource.file(file.path, mapping: mapping)
                report = try intake.run(&source)
            } else {
                var source = try FileSource(path: file.path)
                report = try intake.run(&source)
            }
        } catch let e as IntakeError {
            rejection = e.description
        }
        let target = try move(file, to: rejection == nil ? done : rejected)
        try writeReport(for: target, report: report, rejection: rejection)
        return Outcome(file: file.lastPathComponent, movedTo: target.path, report: report, rejection: rejection)
    }

    /// Moves `file` into `folder`, under a new name if one of its name is there.
    private func move(_ file: URL, to folder: URL) throws -> URL {
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        var target = folder.appendingPathComponent(file.lastPathComponent)
        var n = 1
        while fm.fileExists(atPath: target.path) {
            n += 1
            let base = file.deletingPathExtension().lastPathComponent
            target = folder.appendingPathComponent("\(base).\(n).\(file.pathExtension)")
        }
        try fm.moveItem(at: file, to: target)
        return target
    }

    /// `NAME.report.json` beside the moved file: counts, and each quarantined
    /// row's place and reason (personal values already masked in reasons).
    private func writeReport(for file: URL, report: IntakeReport?, rejection: String?) throws {
        var o = JSONObject()
        o["file"] = .string(file.lastPathComponent)
        o["taken_at"] = .string(ISO8601DateFormatter().string(from: Date()))
        if let mapping { o["mapping"] = .string(mapping.file) }
        if let rejection {
            o["rejected"] = .string(rejection)
        } else if let report {
            var counts = JSONObject()
            for (k, v) in report.counts.sorted(by: { $0.key < $1.key }) { counts[k] = .int(Int64(v)) }
            o["counts"] = .object(counts)
            o["quarantined"] = .int(Int64(report.quarantined))
            o["quarantine_reasons"] = .array(report.quarantineReasons.map { .string($0) })
            if report.clearedFromQuarantine > 0 { o["cleared_from_quarantine"] = .int(Int64(report.clearedFromQuarantine)) }
            if report.quarantineReasons.count < report.quarantined {
                o["more_in_quarantine"] = .string("`hutong quarantine list` shows all \(report.quarantined)")
            }
        }
        let url = file.deletingPathExtension().appendingPathExtension("report.json")
        try Data((JSONWriter.string(.object(o)) + "\n").utf8).write(to: url, options: .atomic)
    }
}
