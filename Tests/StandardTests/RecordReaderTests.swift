import Foundation
import Testing
@testable import Standard

@Suite struct RecordReaderTests {
    func write(_ text: String, ext: String) throws -> String {
        let path = NSTemporaryDirectory() + "hutong-reader-\(UUID().uuidString).\(ext)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ path: String, chunk: Int) throws -> ([String], [Int], FileProblem?) {
        let r = try RecordReader(path: path, chunkSize: chunk)
        var texts: [String] = [], lines: [Int] = []
        while let c = try r.next() {
            for rec in c.records {
                texts.append(String(decoding: c.bytes[rec.range], as: UTF8.self))
                lines.append(rec.line)
            }
        }
        return (texts, lines, r.problem)
    }

    /// Every chunk size, down to one byte, gives the same records and lines.
    @Test(arguments: [1, 2, 3, 7, 64, 4 << 20])
    func ndjsonAcrossChunks(chunk: Int) throws {
        let path = try write("{\"a\":1}\r\n\n  {\"b\":\"x\\ny\"}\n{\"c\":[1,2]}", ext: "ndjson")
        let (texts, lines, problem) = try read(path, chunk: chunk)
        #expect(texts == ["{\"a\":1}", "{\"b\":\"x\\ny\"}", "{\"c\":[1,2]}"])
        #expect(lines == [1, 3, 4])
        #expect(problem == nil)
    }

    @Test(arguments: [1, 5, 64, 4 << 20])
    func jsonArrayAcrossChunks(chunk: Int) throws {
        let path = try write("[\n {\"a\":\"],[,\\\"\"},\n {\"b\":[1,{\"c\":2}]}\n ,\n 3\n]\n", ext: "json")
        let (texts, lines, problem) = try read(path, chunk: chunk)
        #expect(texts == ["{\"a\":\"],[,\\\"\"}", "{\"b\":[1,{\"c\":2}]}", "3"])
        #expect(lines == [2, 3, 5])
        #expect(problem == nil)
    }

    @Test func singleRecordFile() throws {
        let path = try write("\n\n{\n \"a\": 1\n}\n", ext: "json")
        let (texts, lines, _) = try read(path, chunk: 2)
        #expect(texts == ["{\n \"a\": 1\n}\n"])
        #expect(lines == [3])
    }

    @Test func structuralProblemsAreReported() throws {
        let unclosed = try read(try write("[{\"a\":1},\n{\"b\":2}", ext: "json"), chunk: 4)
        #expect(unclosed.2?.message.contains("not closed") == true)
        let trailing = try read(try write("[{\"a\":1},\n]", ext: "json"), chunk: 4)
        #expect(trailing.0 == ["{\"a\":1}"])
        #expect(trailing.2?.message.contains("trailing") == true && trailing.2?.line == 2)
        let after = try read(try write("[{\"a\":1}]\n{\"b\":2}", ext: "json"), chunk: 3)
        #expect(after.2?.message.contains("after the closing") == true && after.2?.line == 2)
        let empty = try read(try write("  \n", ext: "json"), chunk: 3)
        #expect(empty.2?.message.contains("empty") == true)
    }
}
