import Standard
import Testing
@testable import Replication
import JSON

/// The line written member by member is the envelope's JSON, byte for byte.
@Suite struct EnvelopeLineTests {
    func envelope(conflicts: [VersionRef] = [], masked: [String] = []) -> Envelope {
        let body: JSONValue = ["name": "上海市 \"引号\" \\ 分", "fine_fen": 120_000, "tags": ["a", "b"], "nested": ["x": .null, "y": true]]
        return Envelope(id: "5f0c2d6e-8f6a-5b1e-9d3c-2a7b4c1e0f9a", type: "penalty", owner: "bj-amr",
                        vv: VersionVector(["bj-amr": 3, "sh-police": 12, "a-node": 1]), hlc: HLCTimestamp(millis: 1_717_056_000_000, logical: 7),
                        writer: "sh-police", deleted: false, hash: String(repeating: "ab", count: 32), body: body,
                        bodyText: JSONWriter.string(body), conflicts: conflicts, masked: masked)
    }

    @Test func lineIsTheEnvelopeJSON() throws {
        let refs = [VersionRef(vv: VersionVector(["bj-amr": 2]), writer: "bj-amr", hash: String(repeating: "cd", count: 32))]
        for e in [envelope(), envelope(conflicts: refs), envelope(masked: ["/party/name", "/party/id_number"]), envelope(conflicts: refs, masked: ["/x"])] {
            #expect(e.line == JSONWriter.string(e.json))
            #expect(try Envelope(json: try JSONParser.parse(e.line)) == e)
            var out: [UInt8] = [0x41]
            e.writeLine(into: &out)
            #expect(out == [0x41] + Array(e.line.utf8))
        }
        // Without stored text the body is serialised.
        var bare = envelope()
        bare.bodyText = nil
        #expect(bare.line == JSONWriter.string(bare.json))
        #expect(envelope().vv.jsonText == JSONWriter.string(envelope().vv.json))
    }

    /// Read from a parsed line without a tree, an envelope is what the tree
    /// reader makes of it, its body kept as the bytes sent; a line that is
    /// not the usual shape gets the tree reader's answer, errors included.
    @Test func readFromTheTapeAsFromTheTree() throws {
        let refs = [VersionRef(vv: VersionVector(["bj-amr": 2]), writer: "bj-amr", hash: String(repeating: "cd", count: 32))]
        func tape(_ text: String) throws -> JSONTape { try Array(text.utf8).withUnsafeBufferPointer { try JSONTape(parsing: $0) } }
        func read(_ text: String) -> Result<Envelope, EnvelopeError> {
            Result { () throws(EnvelopeError) -> Envelope in try Envelope(tape: try! tape(text), parsedBody: false) }
        }
        func tree(_ text: String) -> Result<Envelope, EnvelopeError> {
            Result { () throws(EnvelopeError) -> Envelope in
                var e = try Envelope(json: try! JSONParser.parse(text))
                e.body = .null
                return e
            }
        }
        var lines = [envelope(), envelope(conflicts: refs), envelope(masked: ["/x"])].map(\.line)
        let usual = lines[0]
        for (from, to) in [(#""id":"5f0c2d6e-8f6a-5b1e-9d3c-2a7b4c1e0f9a""#, #""id":"""#), (#""hlc":"1717056000000.7""#, #""hlc":"1717056000000""#),
                           (#""deleted":false"#, #""deleted":"no""#), (#""vv":{"#, #""vv":{"z":0,"#), (#""owner":"bj-amr""#, #""owner":"""#),
                           (#""writer":"sh-police""#, #""writer":7"#), (#""hash":""#, #""hash2":""#), (#""type":"penalty""#, #""type":"pe\u006ealty""#)] {
            #expect(usual.contains(from), "\(from)")
            lines.append(usual.replacingOccurrences(of: from, with: to))
        }
        for line in lines {
            let fast = read(line), slow = tree(line)
            #expect(fast == slow, "\(line)")
            if case .success(let e) = fast {
                let sent = try JSONParser.parse(line)["body"]!
                #expect(e.body == .null && e.bodyText == JSONWriter.string(sent))
            }
        }
        #expect(try read(usual).get().bodyText == JSONWriter.string(envelope().body))
    }
}
