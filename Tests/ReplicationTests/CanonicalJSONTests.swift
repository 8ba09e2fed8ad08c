import Foundation
import Testing
@testable import Replication
@testable import Standard
@testable import JSON

@Suite struct CanonicalJSONTests {
    /// Numbers as in RFC 8785 appendix B (ECMAScript form).
    @Test(arguments: [
        (1e30, "1e+30"), (4.5, "4.5"), (0.002, "0.002"), (1e-7, "1e-7"), (333333333.33333329, "333333333.3333333"),
        (1e21, "1e+21"), (1e20, "100000000000000000000"), (-5e-324, "-5e-324"), (0.000001, "0.000001"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (-0.0, "0"), (123.456, "123.456"),
    ])
    func numbers(_ d: Double, _ expected: String) {
        #expect(JSONWriter.number(d) == expected)
    }

    /// Member order by UTF-16 code units, strings with minimal escapes (RFC 8785 §3.2.3 example).
    @Test func ordering() throws {
        let v = try JSONParser.parse(#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","</script>":"Browser Challenge"}"#)
        let keys = CanonicalJSON.string(v).split(separator: ",").map { $0.split(separator: ":")[0] }
        #expect(keys.map(String.init) == ["{\"\\r\"", "\"1\"", "\"</script>\"", "\"\u{80}\"", "\"ö\"", "\"€\"", "\"😀\"", "\"\u{fb33}\""])
        #expect(CanonicalJSON.string(["a": "x\u{1}y\"\\/é"]) == #"{"a":"x\u0001y\"\\/é"}"#)
        #expect(CanonicalJSON.string(["b": [1, 2.5, true, nil], "a": [:]]) == #"{"a":{},"b":[1,2.5,true,null]}"#)
    }

    /// ASCII keys take a faster path than the UTF-16 comparison; their order is the same.
    @Test func asciiKeysSortAsUTF16() {
        var rng = SplitMix64(state: 9)
        let alphabet = Array(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~".utf8)
        for _ in 0..<200 {
            let keys = (0..<Int.random(in: 2...12, using: &rng)).map { _ in
                String(decoding: (0..<Int.random(in: 0...4, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }, as: UTF8.self)
            }
            let expected = keys.indices.sorted { keys[$0].utf16.lexicographicallyPrecedes(keys[$1].utf16) }.map { keys[$0] }
            #expect(JSONWriter.canonicalOrder(keys).map { keys[$0] } == expected, "\(keys)")
        }
    }

    /// Keys already in order (a mapped record's) take a one-pass path; the order is the same.
    @Test func keysAlreadyInOrderStayInOrder() {
        let keys = ["a", "ab", "b", "decision_date", "decision_number", "fine_fen", "party", "type"]
        #expect(JSONWriter.canonicalOrder(keys) == Array(keys.indices))
        #expect(JSONWriter.canonicalOrder(keys.reversed()).map { keys.reversed()[$0] } == keys)
    }

    /// Strings are scanned eight bytes at a time for what needs escaping:
    /// whatever falls where in a word, the text reads back the same, with
    /// exactly the escapes RFC 8785 writes.
    @Test func escapesWhereverTheyFall() throws {
        var rng = SplitMix64(state: 11)
        let pieces = ["a", "Z", "0", " ", "罚", "款", "〔", "\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{1F}", "\u{7F}", "é", "😀", "/"]
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...40, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            var out: [UInt8] = []
            JSONWriter.writeString(text, into: &out)
            let written = String(decoding: out, as: UTF8.self)
            #expect(try JSONParser.parse(written) == .string(text), "\(written)")
            // Each byte below 0x20, each quote and backslash escaped; nothing else.
            var expected = "\""
            for u in text.unicodeScalars {
                switch u {
                case "\"": expected += "\\\""
                case "\\": expected += "\\\\"
                case "\n": expected += "\\n"
                case "\r": expected += "\\r"
                case "\t": expected += "\\t"
                case "\u{01}": expected += "\\u0001"
                case "\u{1F}": expected += "\\u001f"
                default: expected.unicodeScalars.append(u)
                }
            }
            expected += "\""
            #expect(written == expected)
        }
    }

    @Test func hashIsSHA256OfCanonicalText() {
        #expect(ContentHash.of(["a": 1]) == "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862")
        // Member order and spacing do not change the hash.
        #expect(ContentHash.of(try! JSONParser.parse(#"{ "b": 2, "a": 1 }"#)) == ContentHash.of(try! JSONParser.parse(#"{"a":1,"b":2}"#)))
    }

    /// The example envelope in Schemas/ was made independently (Python): same hash and id.
    @Test func exampleEnvelopeAgrees() throws {
        let env = try Envelope(json: try Fixtures.json("Schemas/examples/envelope/valid-envelope.json"))
        #expect(ContentHash.of(env.body) == env.hash)
        let type = try #require(Fixtures.catalog.recordTypes["penalty"])
        #expect(try RecordID.derive(type: type, body: env.body).uuidString.lowercased() == env.id)
    }
}
