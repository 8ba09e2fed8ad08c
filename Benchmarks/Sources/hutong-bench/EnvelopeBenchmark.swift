import Foundation
import Replication
import Standard

/// What receiving costs per record, step by step on one core: the checks a
/// node makes of every envelope that arrives (parse, read, validate against
/// `envelope.json`, hash), then freeing what they built. Pages of 1,000 as a
/// pull brings them, so memory stays as small as it is there.
struct EnvelopeBenchmark {
    let catalog: StandardCatalog
    let path: String

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        // Envelope lines only: an export's header and end lines have no "hash".
        let lines = data.split(separator: 0x0A).map { Array($0) }.filter { $0.firstRange(of: Array("\"hash\":".utf8)) != nil }
        guard let schema = catalog.schema(named: "envelope") else { say("no envelope schema"); return }
        say("hutong-bench envelope: \(lines.count) envelope lines, \(data.count / 1_000_000) MB, \(path)")
        var times = [Double](repeating: 0, count: 5)
        var invalid = 0, mismatched = 0
        for start in stride(from: 0, to: lines.count, by: 1_000) {
            let page = lines[start..<min(lines.count, start + 1_000)]
            var values: [JSONValue] = []
            var envelopes: [Envelope] = []
            times[0] += try seconds { values = try page.map { try JSONParser.parse($0) } }
            times[1] += try seconds { envelopes = try values.map { try Envelope(json: $0) } }
            times[2] += seconds { for v in values where !schema.isValid(v) { invalid += 1 } }
            times[3] += seconds { for i in envelopes.indices where !envelopes[i].verifyHash() { mismatched += 1 } }
            times[4] += seconds { values = []; envelopes = [] }
        }
        for (step, s) in zip(["parse", "read envelope", "validate (isValid)", "hash (canonical JSON)", "free"], times) {
            say(String(format: "%-24@ %6.2f µs/record", step as NSString, s / Double(lines.count) * 1e6))
        }
        say(String(format: "%-24@ %6.2f µs/record", "all" as NSString, times.reduce(0, +) / Double(lines.count) * 1e6))
        if invalid + mismatched > 0 { say("note: \(invalid) invalid, \(mismatched) with a wrong hash") }
    }
}
