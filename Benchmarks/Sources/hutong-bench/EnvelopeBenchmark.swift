import Foundation
import Replication
import Standard
import JSON

/// What receiving costs per record, step by step on one core: the checks a
/// node makes of every envelope that arrives, as the checking lanes make them
/// (parse onto a reused tape, validate the tape against `envelope.json`, read
/// the envelope with its body as text, hash the body as sent), then freeing
/// what they built. Then, for comparison, the same line parsed into a tree
/// and validated as a tree (what `hutong validate` and imports do). Pages of
/// 1,000 as a pull brings them.
struct EnvelopeBenchmark {
    let catalog: StandardCatalog
    let path: String

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        // Envelope lines only: an export's header and end lines have no "hash".
        let lines = data.split(separator: 0x0A).map { Array($0) }.filter { $0.firstRange(of: Array("\"hash\":".utf8)) != nil }
        guard let schema = catalog.schema(named: "envelope") else { say("no envelope schema"); return }
        say("hutong-bench envelope: \(lines.count) envelope lines, \(data.count / 1_000_000) MB, \(path)")
        let steps = ["parse (tape)", "validate (tape)", "read envelope", "hash as sent", "free",
                     "parse (tree)", "validate (tree)"]
        var times = [Double](repeating: 0, count: steps.count)
        var invalid = 0, mismatched = 0
        var tape = JSONTape()
        for start in stride(from: 0, to: lines.count, by: 1_000) {
            let page = lines[start..<min(lines.count, start + 1_000)]
            var envelopes: [Envelope] = []
            envelopes.reserveCapacity(page.count)
            for line in page {
                times[0] += try seconds { try line.withUnsafeBufferPointer { try tape.parse($0) } }
                times[1] += seconds { if !schema.isValid(tape) { invalid += 1 } }
                var e: Envelope?
                times[2] += try seconds { e = try Envelope(tape: tape, parsedBody: false) }
                times[3] += seconds {
                    let ok = tape.memberText("body")!.withUnsafeBufferPointer { ContentHash.of(canonicalText: $0) } == e!.hash
                    if !ok { mismatched += 1 }
                }
                envelopes.append(e!)
            }
            times[4] += seconds { envelopes = [] }
            var values: [JSONValue] = []
            times[5] += try seconds { values = try page.map { try JSONParser.parse($0) } }
            times[6] += seconds { for v in values where !schema.isValid(v) { invalid += 1 } }
        }
        for (i, (step, s)) in zip(steps, times).enumerated() {
            if i == 5 { say(String(format: "%-24@ %6.2f µs/record", "receiving, all" as NSString, times[0..<5].reduce(0, +) / Double(lines.count) * 1e6)) }
            say(String(format: "%-24@ %6.2f µs/record", step as NSString, s / Double(lines.count) * 1e6))
        }
        if invalid + mismatched > 0 { say("note: \(invalid) invalid, \(mismatched) with a wrong hash") }
    }
}
