import Foundation

/// What one intake did: counts per outcome, what went to quarantine, and for
/// an export whether its end line arrived.
public struct IntakeReport: Sendable, CustomStringConvertible {
    public let source: String
    /// The file or table the items came from.
    public var origin: String?
    /// The node that wrote the export, when the input was one.
    public var exportedBy: String?
    /// The mapping the rows were read through, when they were.
    public var mapping: String?
    /// Outcome → count: written, unchanged (plain records); applied, merged, conflict, … (an export).
    public var counts: [String: Int] = [:]
    /// The same by record type (type → outcome → count), for the daemon's counters.
    public var countsByType: [String: [String: Int]] = [:]
    public var quarantined = 0
    /// Quarantined items by the record type they were meant to be ("unknown" where none is known).
    public var quarantinedByType: [String: Int] = [:]
    /// Rows in quarantine from an earlier run, read again from the same place and stored now.
    public var clearedFromQuarantine = 0
    /// The reasons of the first quarantined items (at most `reasonsKept`), for reports.
    public var quarantineReasons: [String] = []
    public static let reasonsKept = 100
    /// An export without its end line: what arrived was applied; the whole file completes it.
    public var cutShort = false

    public init(source: String) { self.source = source }

    /// Counts `n` items of `type` with `outcome`.
    mutating func count(_ outcome: String, type: String, _ n: Int = 1) {
        counts[outcome, default: 0] += n
        countsByType[type, default: [:]][outcome, default: 0] += n
    }

    public var description: String {
        let kind = exportedBy.map { "export of node \($0)" } ?? mapping.map { "rows through \(($0 as NSString).lastPathComponent)" } ?? "records"
        return "\(origin ?? source) (\(kind)): " + (summary ?? "nothing to import")
    }

    /// The counts in words ("5 written, 3 quarantined (…)"); nil when nothing was taken.
    public var summary: String? {
        var parts = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }
        if quarantined > 0 { parts.append("\(quarantined) quarantined (see `hutong quarantine list`)") }
        if clearedFromQuarantine > 0 { parts.append("\(clearedFromQuarantine) stored now that were in quarantine (their entries cleared)") }
        if cutShort {
            parts.append("no end line: the file was cut short; the records in it were imported, and importing the whole file again completes it")
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

public enum IntakeError: Error, CustomStringConvertible {
    case unreadable(path: String)
    case invalidHeader(at: String, problems: [String])
    /// A file whose header lacks columns its mapping reads: nothing of it is taken.
    case missingColumns(path: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let p): "cannot read \(p)"
        case .invalidHeader(let at, let problems): "\(at): the batch header is not valid: " + problems.joined(separator: "; ")
        case .missingColumns(let path, let detail): "\(path): \(detail)"
        }
    }
}
