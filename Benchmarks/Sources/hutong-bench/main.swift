import Foundation
import Standard
import JSON

/// Throughput figures (never a timed test).
///
///     hutong-bench [validate] [--type penalty] [--count 100000] [--file out.ndjson] [--schemas DIR]
///         parsing alone, validation alone on one core, the `hutong validate` pipeline
///     hutong-bench store [--count 1000000] [--schemas DIR]
///         node store: local writes, change reads and remote applies in batches of 1,000
///     hutong-bench envelope --file EXPORT.ndjson [--schemas DIR]
///         receiving checks per envelope (e.g. of `hutong export` output), step by step
///     hutong-bench mapping [--count 1000000] [--file legacy.csv] [--mapping FILE] [--schemas DIR]
///         legacy rows read, mapped and validated on one core (the file is written first if missing)
///     hutong-bench legacy-csv --count N --file legacy.csv
///         only writes the legacy rows (for Benchmarks/capture-bench.sh)
struct Options {
    var mode = "validate"
    var type = "penalty"
    var count: Int?
    var file: String?
    var schemas: String?
    var mapping: String?

    init(_ args: [String]) {
        var it = args.makeIterator()
        while let a = it.next() {
            switch a {
            case "--type": type = it.next() ?? type
            case "--count": count = Int(it.next() ?? "")
            case "--file": file = it.next()
            case "--schemas": schemas = it.next()
            case "--mapping": mapping = it.next()
            case "validate", "store", "envelope", "mapping", "legacy-csv": mode = a
            default:
                print("usage: hutong-bench [--type TYPE] [--count N] [--file PATH] [--schemas DIR]")
                exit(2)
            }
        }
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func report(_ label: String, records: Int, bytes: Int, _ s: Double) {
    let line = String(format: "%-34@ %9.0f records/s  %7.1f MB/s  (%d records, %.2f s)", label as NSString, Double(records) / s, Double(bytes) / s / 1e6, records, s)
    say(line)
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
guard let schemasDir = options.schemas.map({ URL(fileURLWithPath: $0) }) ?? StandardCatalog.locate() else {
    print("cannot find Schemas/; pass --schemas DIR")
    exit(2)
}
let catalog = try StandardCatalog(directory: schemasDir)
if options.mode == "store" {
    try StoreBenchmark(catalog: catalog, count: options.count ?? 1_000_000).run()
    exit(0)
}
if options.mode == "envelope" {
    guard let file = options.file else { print("envelope needs --file (NDJSON envelopes, as `hutong export` writes)"); exit(2) }
    try EnvelopeBenchmark(catalog: catalog, path: file).run()
    exit(0)
}
if options.mode == "legacy-csv" {
    guard let file = options.file else { print("legacy-csv needs --file"); exit(2) }
    try MappingBenchmark.writeLegacyCSV(count: options.count ?? 1_000_000, to: file)
    exit(0)
}
if options.mode == "mapping" {
    let count = options.count ?? 1_000_000
    let mapping = options.mapping ?? schemasDir.deletingLastPathComponent().appendingPathComponent("deploy/examples/legacy-penalty/penalty.toml").path
    try MappingBenchmark(catalog: catalog, mappingPath: mapping, count: count,
                         path: options.file ?? NSTemporaryDirectory() + "hutong-bench-legacy-\(count).csv").run()
    exit(0)
}
guard let schema = catalog.schema(named: options.type) else { print("unknown type \(options.type)"); exit(2) }

// Records, as NDJSON, generated once.
let path = options.file ?? NSTemporaryDirectory() + "hutong-bench-\(options.type)-\((options.count ?? 100_000)).ndjson"
if !FileManager.default.fileExists(atPath: path) {
    var g = try SampleGenerator(type: options.type, seed: 1)
    var out: [UInt8] = []
    for _ in 0..<(options.count ?? 100_000) {
        JSONWriter.write(g.next().record, into: &out)
        out.append(0x0A)
    }
    FileManager.default.createFile(atPath: path, contents: Data(out))
}
let data = try Data(contentsOf: URL(fileURLWithPath: path))
let lines = data.split(separator: 0x0A).map { Array($0) }
say("hutong-bench: \(lines.count) \(options.type) records, \(data.count / 1_000_000) MB, \(path)")
say("cores: \(ProcessInfo.processInfo.activeProcessorCount)")

var parsed: [JSONValue] = []
parsed.reserveCapacity(lines.count)
report("parse only (1 core)", records: lines.count, bytes: data.count, try seconds {
    for l in lines { parsed.append(try JSONParser.parse(l)) }
})
var invalid = 0
report("validate only (1 core)", records: lines.count, bytes: data.count, seconds {
    for v in parsed where !schema.validate(v).isEmpty { invalid += 1 }
})
parsed = []
for jobs in Set([1, ProcessInfo.processInfo.activeProcessorCount]).sorted() {
    let validator = try FileValidator(workers: jobs) { SchemaChooser(.byRecord(try StandardCatalog(directory: schemasDir))) }
    var count = 0
    report("hutong validate pipeline (\(jobs) core\(jobs == 1 ? "" : "s"))", records: lines.count, bytes: data.count, try seconds {
        try validator.validate(path: path) { count += $0.count }
    })
    precondition(count == lines.count)
}
if invalid > 0 { say("note: \(invalid) records were invalid") }
