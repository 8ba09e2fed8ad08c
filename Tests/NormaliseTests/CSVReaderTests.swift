import Foundation
import HutongTesting
import Testing
@testable import Normalise

/// CSV files as agencies export them, written to real files and read back,
/// with chunk sizes down to one byte so every record crosses a chunk boundary.
@Suite struct CSVReaderTests {
    func file(_ bytes: [UInt8], _ name: String = "rows.csv") throws -> String {
        let path = try TestRepository.temporaryDirectory("hutong-csv") + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func records(_ path: String, chunk: Int = CSVReader.chunkSize, encoding: TextEncoding? = nil) throws -> (CSVReader, [CSVReader.Record]) {
        let r = try CSVReader(path: path, encoding: encoding, chunkSize: chunk)
        var out: [CSVReader.Record] = []
        while let rec = r.next() { out.append(rec) }
        return (r, out)
    }

    static let text = "\u{FEFF}ID,名称,事实\r\n1,恒达公司,\"抽检不合格，\r\n违反第三十九条\"\r\n2,\"李\"\"娜\"\"\",\r\n\r\n3,,\"末行\"" // no final line break

    @Test(arguments: [1, 2, 3, 7, 64, CSVReader.chunkSize])
    func quotesLineBreaksAndBOMAtAnyChunkSize(_ chunk: Int) throws {
        let (r, recs) = try records(try file(Array(Self.text.utf8)), chunk: chunk)
        #expect(r.header == ["ID", "名称", "事实"] && r.encoding == .utf8)
        #expect(recs.map(\.line) == [2, 4, 6])
        #expect(try recs.map { try $0.fields.get() } == [["1", "恒达公司", "抽检不合格，\r\n违反第三十九条"], ["2", "李\"娜\"", ""], ["3", "", "末行"]])
    }

    /// GBK/GB18030 (what Excel on Chinese Windows writes) is recognised and decoded.
    @Test(arguments: [1, 5, CSVReader.chunkSize])
    func gb18030IsRecognised(_ chunk: Int) throws {
        let text = "文号,当事人\n苏市监罚〔2023〕12号,\"恒达,电器\"\n𠀀字,㎡\n"
        let bytes = try #require(text.data(using: CSVReader.gb18030))
        #expect(String(validating: Array(bytes), as: UTF8.self) == nil)
        let (r, recs) = try records(try file(Array(bytes)), chunk: chunk)
        #expect(r.encoding == .gb18030 && r.header == ["文号", "当事人"])
        #expect(try recs.map { try $0.fields.get() } == [["苏市监罚〔2023〕12号", "恒达,电器"], ["𠀀字", "㎡"]])
    }

    /// A GB18030 file read as UTF-8 says so, row by row, and names the setting to change.
    @Test func aWrongEncodingIsARowProblem() throws {
        let bytes = try #require("ID,名称\n1,恒达\n".data(using: CSVReader.gb18030))
        let (_, recs) = try records(try file(Array("ID,名称\n".utf8) + Array(bytes.dropFirst(10))), encoding: .utf8)
        guard case .failure(let p) = recs.first?.fields else { Issue.record("read as UTF-8: \(recs)"); return }
        #expect(p.reason.contains("not valid UTF-8") && p.reason.contains("gb18030"))
    }

    @Test func anUnclosedQuoteIsNamedWithItsLine() throws {
        let (_, recs) = try records(try file(Array("a,b\n1,2\n3,\"open\n4,5\n".utf8)), chunk: 3)
        #expect(recs.count == 2 && recs[1].line == 3)
        guard case .failure(let p) = recs[1].fields else { Issue.record("\(recs)"); return }
        #expect(p.reason.contains("never closed"))
    }

    /// A quote left open in a large file would make the rest of the file one
    /// field: the reader gives up after `maxRecordBytes`, naming the line,
    /// instead of holding the file in memory.
    @Test func aQuoteLeftOpenInALargeFileStopsAtTheRecordLimit() throws {
        var bytes = Array("ID,事实\n1,a\n2,\"open\n".utf8)
        let filler = Array("3,继续写下去的内容\n".utf8)
        while bytes.count < CSVReader.maxRecordBytes + 2 * CSVReader.chunkSize { bytes += filler }
        let (_, recs) = try records(try file(bytes))
        #expect(recs.count == 2 && recs[1].line == 3)
        guard case .failure(let p) = recs[1].fields else { Issue.record("\(recs.map(\.line))"); return }
        #expect(p.reason.contains("longer than 16 MB") && p.reason.contains("quote left open"))
    }

    /// A file past 2 GB (sparse on disk: its end is a run of NUL bytes, as a
    /// copy cut short by a full disk leaves it): the rows before are read, the
    /// rest is named as one overlong record, and memory stays bounded.
    @Test func aTwoGigabyteFileIsReadInBoundedMemory() throws {
        let path = try file(Array("ID,名称\n1,恒达\n2,李娜\n".utf8), "large.csv")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: (2 << 30) + 4096)
        try handle.close()
        let before = Self.peakResidentBytes()
        let (_, recs) = try records(path)
        #expect(try recs.prefix(2).map { try $0.fields.get() } == [["1", "恒达"], ["2", "李娜"]])
        #expect(recs.count == 3 && recs[2].line == 4)
        guard case .failure(let p) = recs.last?.fields else { Issue.record("\(recs.map(\.line))"); return }
        #expect(p.reason.contains("longer than 16 MB"))
        // The reader held one record's worth, not the file (other tests run
        // alongside in this process, hence the margin).
        #expect(Self.peakResidentBytes() - before < 512 << 20)
    }

    /// This process's peak resident memory, from /proc.
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb << 10
    }

    /// `="0123"` keeps leading zeros in exports made for Excel; it is read as the text.
    @Test func excelTextFormulasAreUnwrapped() throws {
        let rows = try RowFile(path: try file(Array("ID,号码,备注\n1,=\"0123\",\"=\"\"320505198503120419\"\"\"\n2,=1+1,\"a=\"\"b\"\"\"\n".utf8)))
        var values: [[String]] = []
        while let item = try rows.next() { values.append(try item.row.get().values.map(\.text)) }
        #expect(values == [["1", "0123", "320505198503120419"], ["2", "=1+1", "a=\"b\""]])
    }

    @Test func emptyFilesAndHeaderlessFilesAreRefused() throws {
        #expect(throws: CSVProblem.self) { _ = try CSVReader(path: try file([])) }
        #expect(throws: CSVProblem.self) { _ = try CSVReader(path: try file(Array("\n\n".utf8))) }
        #expect(throws: CSVProblem.self) { _ = try CSVReader(path: "/nonexistent/rows.csv") }
    }

    /// A row with more or fewer fields than the header is reported with its
    /// line; the rows around it are read.
    @Test func raggedRowsAreReportedAndTheRestRead() throws {
        let rows = try RowFile(path: try file(Array("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n".utf8)))
        var items: [RowItem] = []
        while let i = try rows.next() { items.append(i) }
        #expect(items.map(\.location) == ["2", "3", "4", "5"])
        #expect(items.map { if case .success = $0.row { true } else { false } } == [true, false, false, true])
        if case .failure(let p) = items[1].row { #expect(p.reason.contains("2 fields, the header 3")) }
        if case .success(let row) = items[3].row { #expect(row["c"] == .text("12") && row.location == "5") }
    }

    @Test func jsonRowsKeepTheirTypes() throws {
        let path = try file(Array("{\"ID\":7,\"FK\":1.5,\"MC\":\"恒达\",\"X\":null}\n[1]\n{bad\n".utf8), "rows.ndjson")
        let rows = try RowFile(path: path)
        var items: [RowItem] = []
        while let i = try rows.next() { items.append(i) }
        #expect(items.count == 3)
        guard case .success(let row) = items[0].row else { Issue.record("\(items)"); return }
        #expect(row["ID"] == .integer(7) && row["FK"] == .decimal("1.5") && row["MC"] == .text("恒达") && row["X"] == .null)
        if case .failure(let p) = items[1].row { #expect(p.reason.contains("JSON object")) } else { Issue.record("an array passed as a row") }
        if case .failure(let p) = items[2].row { #expect(p.reason.hasPrefix("not JSON")) } else { Issue.record("bad JSON passed as a row") }

        // A JSON array of objects reads the same way, each row with its line.
        let array = try RowFile(path: try file(Array("[\n {\"ID\": 1, \"MC\": \"甲\"},\n {\"ID\": 2, \"MC\": \"乙\"}\n]".utf8), "rows.json"))
        var fromArray: [SourceRow] = []
        while let i = try array.next() { fromArray.append(try i.row.get()) }
        #expect(fromArray.map { $0["MC"] } == [RowValue.text("甲"), .text("乙")])
        #expect(fromArray.map(\.location) == ["2", "3"])
    }
}
