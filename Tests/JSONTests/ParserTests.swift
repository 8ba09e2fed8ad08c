import Testing
@testable import JSON

@Suite struct ParserTests {
    @Test func numbersKeepIntegersExact() throws {
        #expect(try JSONParser.parse("9007199254740993") == .int(9_007_199_254_740_993))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int64.min))
        #expect(try JSONParser.parse("1.5e3") == .double(1500))
        #expect(try JSONParser.parse("1.0") == .int(1))  // JSON Schema equality: 1.0 == 1
        if case .double = try JSONParser.parse("92233720368547758070") {} else { Issue.record("overflow not a double") }
    }

    @Test func strings() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/\n\u4e2d\ud83d\ude00""#) == .string("a\"b\\c/\n中😀"))
        #expect(try JSONParser.parse("\"行政处罚\"") == .string("行政处罚"))
        #expect(throws: JSONParseError.self) { try JSONParser.parse("\"a\u{01}b\"") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#""\ud83d""#) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }  // invalid UTF-8
    }

    @Test func errorsSayWhere() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": 1,\n  \"b\": tru\n}")
            Issue.record("parsed")
        } catch {
            #expect(error.line == 3 && error.column == 8)
            #expect(error.reason.contains("true"))
        }
        do { _ = try JSONParser.parse("{\"a\":1} x"); Issue.record("parsed") } catch { #expect(error.reason.contains("after the end")) }
        do { _ = try JSONParser.parse("[1,]"); Issue.record("parsed") } catch { #expect(error.column == 4) }
        do { _ = try JSONParser.parse("01"); Issue.record("parsed") } catch { #expect(error.reason.contains("leading zeros")) }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func equalityFollowsJSONSchema() throws {
        #expect(try JSONParser.parse(#"{"a":1,"b":[true,null]}"#) == JSONParser.parse(#"{"b":[true,null],"a":1.0}"#))
        #expect(try JSONParser.parse(#"{"a":1}"#) != JSONParser.parse(#"{"a":1,"b":2}"#))
        // Code points, not canonical equivalence.
        #expect(JSONValue.string("\u{e9}") != JSONValue.string("e\u{301}"))
    }

    @Test func writerRoundTrips() throws {
        let text = #"{"名称":"北京\"市\"","n":[1,-2,3.5,true,null],"o":{"k":"\n\t\u0001"}}"#
        let v = try JSONParser.parse(text)
        #expect(try JSONParser.parse(JSONWriter.string(v)) == v)
        #expect(JSONWriter.string(v).contains("\\u0001"))
    }

    @Test func decimalsAreWrittenLikeSwiftsOwn() {
        for (v, minimum) in [(UInt64(0), 1), (7, 1), (10, 1), (5, 13), (1_717_056_000_000, 13), (12_345_678_901_234, 13),
                             (.max, 1), (.max, 20), (3, 0), (3, 30)] as [(UInt64, Int)] {
            var out: [UInt8] = [0x78]
            JSONWriter.writeDecimal(v, minimumDigits: minimum, into: &out)
            let plain = String(v)
            // At most 24 digits: the padding stops there.
            let expected = "x" + String(repeating: "0", count: max(0, min(minimum, 24) - plain.count)) + plain
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(v), at least \(minimum) digits")
        }
    }

    @Test func locatorFindsLines() throws {
        let text = "{\n  \"a\": {\n    \"b\": [\n      1,\n      2\n    ]\n  },\n  \"c\": 3\n}"
        let bytes = Array(text.utf8)
        let offset = bytes.withUnsafeBufferPointer { JSONLocator.offset(of: ["a", "b", "1"], in: $0) }
        #expect(bytes[..<offset].filter { $0 == 0x0A }.count + 1 == 5)
        let c = bytes.withUnsafeBufferPointer { JSONLocator.offset(of: ["c"], in: $0) }
        #expect(bytes[..<c].filter { $0 == 0x0A }.count + 1 == 8)
    }

    /// A key written with escapes is found under its plain name (the parser hashes
    /// raw bytes only when there are no escapes).
    @Test func escapedKeysAreFoundByName() throws {
        let o = try #require(try JSONParser.parse(#"{"a\u0062":1,"decision_date":2,"\u5904\u7f5a":3}"#).objectValue)
        #expect(o["ab"] == 1)
        #expect(o["decision_date"] == 2)
        #expect(o["处罚"] == 3)
        #expect(o["decision_datex"] == nil)
        #expect(KeyHash.of("x") != KeyHash.of("y"))
    }
}

/// Finding a top-level member's value by scanning (the received body, hashed as it came).
@Suite struct MemberRangeTests {
    func range(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { b in
            JSONLocator.memberRange("body", in: b).map { String(decoding: bytes[$0], as: UTF8.self) }
        }
    }

    @Test func findsTheTopLevelMemberOnly() {
        #expect(range(#"{"a":1,"body":{"x":"},\"body\":"},"z":2}"#) == #"{"x":"},\"body\":"}"#)
        #expect(range(#"{"id":"x","body":{"a":[1,{"b":2}]}}"#) == #"{"a":[1,{"b":2}]}"#)
        #expect(range(#"{"body": 12 , "x":1}"#) == "12")
        #expect(range(#"{"body":"a,b}"}"#) == #""a,b}""#)
        #expect(range(#"{ "body" : [1, 2] }"#) == "[1, 2]")
        #expect(range(#"{"x":{"body":1}}"#) == nil)
        #expect(range(#"{"x":"body","y":["body"]}"#) == nil)
        #expect(range(#"{"bodyx":1,"xbody":2}"#) == nil)
        #expect(range(#"{"x":"\\","body":true}"#) == "true")
    }
}
