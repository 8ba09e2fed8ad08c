import Testing
@testable import JSON

/// The tape records are checked on: the same values as the tree, the body's
/// text exactly as sent, and the same equality and UTF-8 rules.
@Suite struct TapeTests {
    func tape(_ text: String) throws -> JSONTape {
        try Array(text.utf8).withUnsafeBufferPointer { try JSONTape(parsing: $0) }
    }

    @Test func holdsWhatTheTreeHolds() throws {
        let text = #"{"id":"a\"b","n":[1,-2,3.5,true,null,{}],"名称":"北京\u5e02","body":{"k" : [ 1 , "x\ny" ]}}"#
        let t = try tape(text)
        #expect(t.value() == (try JSONParser.parse(text)))
        // Built from a tree, the tape gives the tree back.
        #expect(JSONTape(t.value()).value() == t.value())
        // A second document parsed onto the same tape replaces the first.
        var reused = t
        try Array("[1,2]".utf8).withUnsafeBufferPointer { try reused.parse($0) }
        #expect(reused.value() == [1, 2])
    }

    @Test func bodyTextIsAsSentAndTheRestWithoutIt() throws {
        let text = #"{"id":"r1","body":{"b" : 2,"a":"\u0041"},"hash":"h"}"#
        let t = try tape(text)
        #expect(t.memberText("body").map { String(decoding: $0, as: UTF8.self) } == #"{"b" : 2,"a":"\u0041"}"#)
        #expect(t.member("body") == ["b": 2, "a": "A"])
        #expect(t.value(nulling: "body") == ["id": "r1", "body": nil, "hash": "h"])
        // Only containers have a text, and only a tape parsed from text.
        #expect(t.memberText("id") == nil)
        #expect(JSONTape(t.value()).memberText("body") == nil)
    }

    @Test func equalityFollowsJSONSchema() throws {
        let t = try tape(#"[{"a":1,"b":[true,null]},{"b":[true,null],"a":1.0},"\u00e9","e\u0301",{"a":1,"a":2}]"#)
        t.withView { v in
            let items = [1, v.next(1), v.next(v.next(1)), v.next(v.next(v.next(1)))]
            #expect(v.equals(items[0], items[1]))
            #expect(!v.equals(items[2], items[3]))  // code points, not canonical equivalence
            #expect(v.equals(items[0], ["b": [true, nil], "a": 1]))
            #expect(!v.equals(items[0], ["a": 1]))
            // Duplicate names: the last one is found, as in the tree.
            #expect(v.member(v.next(items[3]), named: "a").map { v.value($0) } == 2)
        }
    }

    @Test func invalidUTF8IsRefused() {
        for bad: [UInt8] in [[0xC3, 0x28], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE4, 0xB8]] {
            let text = [0x22] + bad + [0x22]
            #expect(throws: JSONParseError.self) { try text.withUnsafeBufferPointer { try JSONTape(parsing: $0) } }
        }
        #expect(Array("中😀é".utf8).withUnsafeBufferPointer { JSONParser.isValidUTF8($0) })
    }
}
