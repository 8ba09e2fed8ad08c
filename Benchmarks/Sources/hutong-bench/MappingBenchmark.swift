import Foundation
import JSON
import Normalise
import Replication
import Standard

/// Legacy rows through a mapping, step by step on one core: reading the CSV
/// file, mapping each row, validating the record. The rows are sample
/// penalties written back the way a 双公示 export holds them (amounts in 万元,
/// Chinese dates, 2016-era kind names), so that every row maps to a valid record.
struct MappingBenchmark {
    let catalog: StandardCatalog
    let mappingPath: String
    let count: Int
    let path: String

    func run() throws {
        if !FileManager.default.fileExists(atPath: path) { try Self.writeLegacyCSV(count: count, to: path) }
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let mapping = try Mapping(file: mappingPath, dictionary: try DataDictionary(directory: catalog.directory))
        say("hutong-bench mapping: \(count) legacy penalty rows, \(bytes / 1_000_000) MB, \(path), mapping \(mappingPath)")
        say("each step on one core, over the same rows in pieces of 10,000 (thread CPU time):")
        let gate = RecordGate(catalog: catalog)
        let penalty = catalog.recordTypes["penalty"]!
        var read = Phase(), map = Phase(), validate = Phase(), ready = Phase()
        var rows = 0, mapped = 0, valid = 0
        let file = try RowFile(path: path)
        var done = false
        while !done {
            var piece: [SourceRow] = []
            read += measure {
                while piece.count < 10_000 {
                    guard let item = try? file.next() else { done = true; break }
                    if case .success(let row) = item.row { piece.append(row) }
                }
            }
            rows += piece.count
            var records: [JSONValue] = []
            map += measure { records = piece.compactMap { if case .success(let r) = mapping.map($0) { r } else { nil } } }
            mapped += records.count
            var accepted: [JSONValue] = []
            validate += measure { accepted = records.filter { gate.check($0).isAcceptable } }
            valid += accepted.count
            ready += measure { _ = accepted.compactMap { try? LocalRecord(type: penalty, body: $0) } }
        }
        report("read CSV rows", rows, bytes, read)
        report("map (the mapping's steps, the record built)", rows, bytes, map)
        report("validate (the standard's schema)", rows, bytes, validate)
        report("make ready to store (id, canonical text, hash)", rows, bytes, ready)
        if mapped != rows || valid != rows { say("note: \(rows - mapped) rows did not map, \(mapped - valid) records were invalid") }
    }

    struct Phase {
        var wall = 0.0, cpu = 0.0
        static func += (a: inout Phase, b: Phase) { a.wall += b.wall; a.cpu += b.cpu }
    }

    func measure(_ body: () -> Void) -> Phase {
        func cpu() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
        let start = DispatchTime.now().uptimeNanoseconds, c0 = cpu()
        body()
        return Phase(wall: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu: cpu() - c0)
    }

    func report(_ label: String, _ n: Int, _ bytes: Int, _ p: Phase) {
        say(label.padding(toLength: 48, withPad: " ", startingAt: 0)
            + String(format: "%6.1f µs a row  %8.0f rows/s  (%.2f s CPU, %.2f s wall)", p.cpu / Double(max(1, n)) * 1e6, Double(n) / p.cpu, p.cpu, p.wall))
    }

    static let header = ["ID", "CF_WSH", "CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_FRDB", "CF_FR_ZJLX", "CF_FR_ZJHM", "CF_XDR_ZJLX", "CF_XDR_ZJHM",
                         "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK", "CF_NR_WFFF", "CF_NR_ZKDX", "CF_JDRQ", "CF_YXQ", "CF_GSJZQ",
                         "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM", "CF_ZT", "XZQH", "GXSJ", "BZ"]

    /// Sample penalties as a legacy export (UTF-8 CSV).
    static func writeLegacyCSV(count: Int, to path: String) throws {
        var g = try SampleGenerator(type: "penalty", seed: 7)
        var out = Array((header.joined(separator: ",") + "\r\n").utf8)
        out.reserveCapacity(count * 1_200)
        for i in 1...count {
            let r = g.next().record
            func s(_ path: String) -> String {
                var v: JSONValue? = r
                for p in path.split(separator: ".") { v = v?[String(p)] }
                if case .string(let t)? = v { return t }
                if let n = v?.intValue { return String(n) }
                return ""
            }
            func wan(_ path: String) -> String {
                guard let fen = r[path]?.intValue else { return "" }
                let frac = String(fen % 1_000_000)
                var f = String(repeating: "0", count: 6 - frac.count) + frac
                while f.hasSuffix("0") { f.removeLast() }
                return "\(fen / 1_000_000)" + (f.isEmpty ? "" : "." + f)
            }
            func chinese(_ date: String) -> String {
                let p = date.split(separator: "-")
                guard p.count == 3, let m = Int(p[1]), let d = Int(p[2]) else { return date }
                return "\(p[0])年\(m)月\(d)日"
            }
            let natural = s("party.kind") == "自然人"
            let kinds = (r["penalty_kinds"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "、")
            let fields = [
                String(i), s("decision_number"), s("party.name"), s("party.kind"), natural ? "" : s("party.credit_code"),
                natural ? "" : s("party.legal_representative.name"), natural ? "" : s("party.legal_representative.id_document.kind"),
                natural ? "" : s("party.legal_representative.id_document.number"),
                natural ? s("party.id_document.kind") : "", natural ? s("party.id_document.number") : "",
                s("violation_type"), s("violation_facts"), s("legal_basis"), kinds, s("content"), wan("fine_fen"), wan("confiscation_fen"),
                s("license_action"), chinese(s("decision_date")), s("valid_until").replacingOccurrences(of: "-", with: "/"),
                s("publicity_deadline").replacingOccurrences(of: "-", with: ""), s("issuing_agency.name"), s("issuing_agency.credit_code"),
                s("source_agency.name"), s("source_agency.credit_code"), s("status"), s("region"),
                String(s("updated_at").prefix(19)).replacingOccurrences(of: "T", with: " "), s("remarks"),
            ]
            for (j, f) in fields.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                if f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                    out += Array(("\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"").utf8)
                } else {
                    out += Array(f.utf8)
                }
            }
            out += [0x0D, 0x0A]
        }
        FileManager.default.createFile(atPath: path, contents: Data(out))
    }
}
