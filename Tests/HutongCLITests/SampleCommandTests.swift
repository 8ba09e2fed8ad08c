import Foundation
import Standard
import Testing

@Suite struct SampleCommandTests {
    /// Samples validate exactly as the manifest says: the invalid ones, at the stated places.
    @Test(arguments: ["penalty", "case_transfer"])
    func samplesAndManifestAgreeWithValidate(type: String) throws {
        let dir = try CLI.temporaryDirectory()
        let s = try CLI.run(["sample", "--type", type, "--count", "300", "--invalid-ratio", "0.2", "--seed", "3", "-o", "s.ndjson", "--manifest", "m.ndjson"], in: dir)
        #expect(s.status == 0)
        #expect(s.stderr.contains("wrote 300 \(type) records"))
        let manifest = try String(contentsOfFile: dir + "/m.ndjson", encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(manifest.count > 30)
        let r = try CLI.run(["validate", "--format", "json", "s.ndjson"], in: dir)
        #expect(r.status == 1)
        let verdicts = try r.lines.dropLast().map { try JSONParser.parse($0) }
        #expect(verdicts.count == 300)
        let invalidLines = Set(verdicts.filter { $0["valid"] == false }.compactMap { $0["line"]?.intValue })
        #expect(invalidLines == Set(manifest.compactMap { $0["line"]?.intValue }))
        for m in manifest {
            let v = try #require(verdicts.first { $0["line"] == m["line"] })
            let places = v["errors"]?.arrayValue?.compactMap { $0["instanceLocation"]?.stringValue } ?? []
            #expect(places.contains(m["instanceLocation"]!.stringValue!), "\(m)")
        }
    }

    @Test func sameSeedSameOutput() throws {
        let a = try CLI.run(["sample", "--type", "officer", "--count", "20", "--seed", "11"])
        let b = try CLI.run(["sample", "--type", "officer", "--count", "20", "--seed", "11"])
        #expect(a.status == 0 && a.stdout == b.stdout && a.lines.count == 20)
    }

    /// A file far larger than the read buffer is validated in bounded memory,
    /// whether it is NDJSON or one big JSON array.
    @Test(arguments: ["ndjson", "json"])
    func largeFilesInBoundedMemory(layout: String) throws {
        let dir = try CLI.temporaryDirectory()
        let path = dir + "/big." + layout
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try #require(FileHandle(forWritingAtPath: path))
        let pad = String(repeating: "行政执法数据", count: 100)
        let count = 50_000
        var block = layout == "json" ? "[\n" : ""
        for i in 0..<count {
            block += "{\"type\":\"unknown_kind\",\"n\":\(i),\"pad\":\"\(pad)\"}"
            block += layout == "json" ? (i == count - 1 ? "\n]\n" : ",\n") : "\n"
            if block.utf8.count > 1 << 20 { h.write(Data(block.utf8)); block = "" }
        }
        h.write(Data(block.utf8))
        try h.close()
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(size > 80_000_000)
        let r = try CLI.run(["validate", "--quiet", path])
        #expect(r.status == 1)
        #expect(r.lines.last?.hasPrefix("1 file, \(count) records: 0 valid, \(count) invalid") == true)
        // Peak memory stays far below the file's size.
        #expect(r.maxRSSKiB * 1024 < size / 2, "peak \(r.maxRSSKiB) KiB for a \(size / 1_000_000) MB file")
    }
}
