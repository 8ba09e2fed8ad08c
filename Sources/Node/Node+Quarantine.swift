import Foundation
import JSON
import Normalise
import Replication
import Standard
import Store

/// What a retry of quarantined rows did.
public struct QuarantineRetry: Sendable, CustomStringConvertible {
    /// Rows that are now records: written as new versions, or equal to what is stored.
    public var stored = 0
    public var unchanged = 0
    /// Rows that still cannot be used, by reason.
    public var stillQuarantined = 0
    public var reasons: [String: Int] = [:]

    public var description: String {
        var parts = ["\(stored) stored", "\(unchanged) already stored", "\(stillQuarantined) still quarantined"]
        if stored + unchanged + stillQuarantined == 0 { parts = ["no rows quarantined by a mapping"] }
        return parts.joined(separator: ", ")
    }
}

extension Node {
    /// Maps the rows a mapping quarantined again, through the mapping file as
    /// it is now (`hutong quarantine retry`): a row that now makes a valid
    /// record is stored and leaves quarantine; the others stay with their new
    /// reason. `mappingFile`: only the rows of that mapping.
    /// - Throws: `NodeError` when a mapping no longer loads (nothing is retried with it).
    public func retryQuarantine(mappingFile: String? = nil) throws -> QuarantineRetry {
        let only = mappingFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        var mappings: [String: Mapping] = [:]
        let gate = RecordGate(catalog: catalog)
        var result = QuarantineRetry()
        var after: Int64 = 0
        var byMapping: [String: (stored: Int, still: Int)] = [:]
        while true {
            let page = try store.mappedQuarantine(mapping: only, after: after, limit: 500)
            guard let last = page.last else { break }
            after = last.id
            // A page's rows are mapped here; its records stored in one
            // transaction and its entries settled in another.
            var ready: [(entry: QuarantineEntry, record: LocalRecord)] = []
            var outcomes: [(id: Int64, stillFailing: String?)] = []
            for entry in page {
                guard let path = entry.mapping else { continue }
                if mappings[path] == nil { mappings[path] = try Self.loadMapping(path, schemas: catalog.directory) }
                let place = entry.place ?? entry.source
                let reason: String
                if let value = try? JSONParser.parse(Array(entry.text.utf8)), let row = SourceRow(json: value, origin: place, location: "") {
                    switch mappings[path]!.map(row) {
                    case .failure(let problem):
                        reason = "\(place): \(problem)"
                    case .success(let record):
                        let verdict = gate.check(record)
                        if verdict.isAcceptable, let type = verdict.schemaName.flatMap({ catalog.recordTypes[$0] }) {
                            do {
                                ready.append((entry, try LocalRecord(type: type, body: record)))
                                continue
                            } catch {
                                reason = "\(place): \(error)"
                            }
                        } else {
                            reason = "\(place): the mapped record is not valid: " + verdict.reason()
                        }
                    }
                } else {
                    reason = "\(place): the row as kept is not a JSON object of columns (it could not be read in the first place); fix the file and import it again"
                }
                outcomes.append((entry.id, reason))
                result.stillQuarantined += 1
                let code = MappingProblem.code(in: reason) ?? (reason.contains("the mapped record is not valid") ? "not valid" : "unreadable row")
                result.reasons[code, default: 0] += 1
                byMapping[path, default: (0, 0)].still += 1
            }
            let written = ready.isEmpty ? [] : try store.write(ready.map(\.record))
            for ((entry, _), version) in zip(ready, written) {
                if version == nil { result.unchanged += 1 } else { result.stored += 1 }
                outcomes.append((entry.id, nil))
                byMapping[entry.mapping!, default: (0, 0)].stored += 1
            }
            try store.settleQuarantine(outcomes)
        }
        for (path, n) in byMapping.sorted(by: { $0.key < $1.key }) {
            try store.audit(kind: .quarantineRetried, detail: "rows of mapping \(path): \(n.stored) now stored, \(n.still) still quarantined")
        }
        return result
    }
}
