import ArgumentParser
import Capture
import Foundation
import JSON
import Node
import Normalise
import Standard

/// `hutong map`: try a mapping (docs/mappings.md) before any row is stored.
struct Map: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Preview and test mappings from agencies' own tables and files to the standard.",
        subcommands: [Preview.self, Test.self])

    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "preview",
            abstract: "Show the first rows of a file beside the records a mapping makes of them, and why any would be quarantined.",
            discussion: """
                Nothing is stored. Values of personal fields, and the columns they come from, are masked \
                unless --unmasked is given. Exit codes: 0 every row shown became a valid record; 1 some \
                would be quarantined; 2 the mapping or the file cannot be read.
                """)

        @Argument(help: ArgumentHelp("The mapping file (TOML).", valueName: "mapping")) var mapping: String
        @Argument(help: ArgumentHelp("A CSV, NDJSON or JSON file of the agency's rows, or a SQLite database with --table.", valueName: "file")) var file: String
        @Option(help: ArgumentHelp("Read this table of the SQLite database FILE (read-only).", valueName: "table")) var table: String?
        @Option(help: "Rows to show.") var limit: Int = 20
        @Option(help: "text or json (one object per row).") var format: OutputFormat = .text
        @Flag(help: "Show personal values as they are.") var unmasked = false
        @OptionGroup var schemas: SchemaOptions

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() throws {
            let m = try loadMapping(mapping, schemas)
            let catalog = try schemas.loadCatalog()
            let rows: any RowReader
            do {
                if let table { rows = try SQLiteTableRows(path: file, table: table) } else { rows = try RowFile(path: file, options: m.source) }
            } catch {
                throw CommandFailure(code: ExitStatus.usage, message: table == nil ? "\(file): \(error)" : "\(error)")
            }
            let missing = rows.missingColumns(of: m)
            if !missing.isEmpty {
                throw CommandFailure(code: ExitStatus.usage, message: "\(rows.origin) lacks column\(missing.count == 1 ? "" : "s") the mapping reads: " + missing.joined(separator: "; "))
            }
            let preview: MappingPreview
            do { preview = try m.preview(rows, catalog: catalog, limit: limit, unmasked: unmasked) } catch {
                throw CommandFailure(code: ExitStatus.usage, message: "\(file): \(error)")
            }
            if format == .json { printJSON(preview) } else { printText(preview, m, encoding: (rows as? RowFile)?.encoding) }
            if preview.entries.contains(where: { if case .quarantined = $0.outcome { true } else { false } }) {
                throw CommandFailure(code: ExitStatus.dataProblem, message: "")
            }
        }

        func printText(_ p: MappingPreview, _ m: Mapping, encoding: TextEncoding?) {
            print("\(p.file)\(encoding.map { " (\($0.rawValue))" } ?? "") through \(p.mapping) → \(m.recordType)")
            for e in p.entries {
                print("")
                let place = (e.location.allSatisfy(\.isNumber) ? "line \(e.location)" : e.location) + (e.key.map { " (\($0))" } ?? "")
                let record: JSONValue?
                switch e.outcome {
                case .record(let r, let warnings):
                    print("\(place): a valid record" + (warnings.isEmpty ? "" : " (\(warnings.count) warning\(warnings.count == 1 ? "" : "s"))"))
                    record = r
                    for w in warnings { print("  warning: \(w)") }
                case .quarantined(_, let reason, let r):
                    print("\(place): would be quarantined: \(reason)")
                    record = r
                }
                guard case .object = e.row else { continue }
                var lines: [(String, String, String, String)] = []
                for (field, columns) in m.fieldColumns {
                    let raw = columns.map { e.row[$0].map(Self.short) ?? "" }.filter { !$0.isEmpty }.joined(separator: " | ")
                    var value: JSONValue? = record
                    for part in field.split(separator: ".") { value = value?[String(part)] }
                    guard !raw.isEmpty || value != nil else { continue }
                    lines.append((columns.joined(separator: "|"), raw, field, value.map(Self.short) ?? "—"))
                }
                let w0 = lines.map { Self.width($0.0) }.max() ?? 0
                let w1 = min(41, lines.map { Self.width($0.1) }.max() ?? 0)
                let w2 = lines.map { Self.width($0.2) }.max() ?? 0
                for l in lines {
                    print("  " + Self.pad(l.0, w0) + "  " + Self.pad(l.1, w1) + "  →  " + Self.pad(l.2, w2) + "  " + l.3)
                }
            }
            print("")
            let quarantined = p.entries.filter { if case .quarantined = $0.outcome { true } else { false } }.count
            print("\(p.entries.count) row\(p.entries.count == 1 ? "" : "s"): \(p.entries.count - quarantined) valid, \(quarantined) would be quarantined")
            for (reason, n) in p.reasons { print("  \(n) × \(reason)") }
        }

        func printJSON(_ p: MappingPreview) {
            for e in p.entries {
                var o = JSONObject()
                if let line = Int64(e.location) { o["line"] = .int(line) } else { o["place"] = .string(e.location) }
                if let k = e.key { o["key"] = .string(k) }
                o["row"] = e.row
                switch e.outcome {
                case .record(let r, let warnings):
                    o["record"] = r
                    o["valid"] = true
                    if !warnings.isEmpty { o["warnings"] = .array(warnings.map { .string($0) }) }
                case .quarantined(let field, let reason, let r):
                    if let r { o["record"] = r }
                    o["valid"] = false
                    var q = JSONObject()
                    if let field { q["field"] = .string(field) }
                    q["reason"] = .string(reason)
                    o["quarantined"] = .object(q)
                }
                Output.json(.object(o))
            }
        }

        /// A value on one line, cut to a readable length.
        static func short(_ v: JSONValue) -> String {
            let s: String = if case .string(let t) = v { t } else { JSONWriter.string(v) }
            var out = ""
            for c in s.replacingOccurrences(of: "\n", with: "⏎") {
                if width(out + String(c)) > 40 { return out + "…" }
                out.append(c)
            }
            return out
        }

        /// Terminal columns: CJK and full-width characters take two.
        static func width(_ s: String) -> Int {
            s.unicodeScalars.reduce(0) { w, c in
                w + ((0x1100...0x115F).contains(c.value) || (0x2E80...0xA4CF).contains(c.value) || (0xAC00...0xD7A3).contains(c.value)
                    || (0xF900...0xFAFF).contains(c.value) || (0xFE30...0xFE4F).contains(c.value) || (0xFF00...0xFF60).contains(c.value)
                    || (0xFFE0...0xFFE6).contains(c.value) ? 2 : 1)
            }
        }

        static func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - width(s))) }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Run the test cases ([[test]]) of mapping files.",
            discussion: """
                Each case's input row is mapped and validated as a real row would be, and compared with \
                the fields it expects or the quarantine reason it expects. --coverage lists which branches \
                of each field (cases, step outcomes such as an unknown code or a bad date, empty values) \
                the cases went through. Exit codes: 0 every case passed (and coverage reached \
                --min-coverage); 1 a case failed or coverage fell short; 2 a mapping cannot be read.
                """)

        @Argument(help: ArgumentHelp("Mapping files (TOML).", valueName: "mapping")) var mappings: [String]
        @Flag(help: "Report which branches the cases exercised.") var coverage = false
        @Option(help: ArgumentHelp("Fail below this coverage, in percent.", valueName: "percent")) var minCoverage: Int?
        @OptionGroup var schemas: SchemaOptions

        func validate() throws {
            if mappings.isEmpty { throw ValidationError("name at least one mapping file") }
            if let m = minCoverage, !(0...100).contains(m) { throw ValidationError("--min-coverage is a percentage, 0 to 100") }
        }

        func run() throws {
            let catalog = try schemas.loadCatalog()
            let gate = RecordGate(catalog: catalog)
            var failed = 0, passed = 0, short = false
            for path in mappings {
                let m = try loadMapping(path, schemas)
                let report = m.runTests(gate: gate)
                print("\(path) (\(m.recordType)): \(report.results.count) case\(report.results.count == 1 ? "" : "s")")
                if report.results.isEmpty { print("  no [[test]] cases: add some beside the mapping (docs/mappings.md)") }
                for r in report.results {
                    print("  \(r.passed ? "✓" : "✗") \(r.test)\(r.passed ? "" : " (\(path):\(r.line))")")
                    for f in r.failures { print("      \(f)") }
                }
                failed += report.failed
                passed += report.results.count - report.failed
                let (tried, total) = report.coverage.counts
                let percent = total == 0 ? 100 : tried * 100 / total
                if coverage || minCoverage != nil {
                    print("  coverage: \(tried) of \(total) branches (\(percent) %)")
                    if coverage { for line in report.coverage.lines where line.hasPrefix("✗") { print("    " + line) } }
                }
                if let min = minCoverage, percent < min { short = true }
            }
            print("\(passed) passed, \(failed) failed")
            if failed > 0 || short {
                throw CommandFailure(code: ExitStatus.dataProblem, message: short && failed == 0 ? "coverage below --min-coverage \(minCoverage!) %" : "")
            }
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument { case text, json }

/// A mapping file checked against the standard, or exit 2 with every problem and its line.
func loadMapping(_ path: String, _ schemas: SchemaOptions) throws -> Mapping {
    do { return try Node.loadMapping(path, schemas: try schemas.directory()) } catch let e as NodeError { throw CommandFailure(e) }
}
