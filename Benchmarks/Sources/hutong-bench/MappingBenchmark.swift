import Foundation
import JSON
import Normalise
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
        var rows = 0
        report("read CSV rows (1 core)", records: count, bytes: bytes, try seconds {
            let file = try RowFile(path: path)
            while try file.next() != nil { rows += 1 }
        })
        var mapped = 0
        report("read + map (1 core)", records: count, bytes: bytes, try seconds {
            let file = try RowFile(path: path)
            while let item = try file.next() {
                if case .success(let row) = item.row, case .success = mapping.map(row) { mapped += 1 }
            }
        })
        let gate = RecordGate(catalog: catalog)
        var valid = 0
        report("read + map + validate (1 core)", records: count, bytes: bytes, try seconds {
            let file = try RowFile(path: path)
            while let item = try file.next() {
                if case .success(let row) = item.row, case .success(let record) = mapping.map(row), gate.check(record).isAcceptable { valid += 1 }
            }
        })
        if mapped != count || valid != count { say("note: \(count - mapped) rows did not map, \(mapped - valid) records were invalid") }
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
