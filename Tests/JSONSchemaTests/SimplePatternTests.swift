import Foundation
import Testing
@testable import JSONSchema
import Standard

/// The Foundation-free matcher for simple patterns must agree with ICU (the
/// translated ECMA-262 pattern) on every string, and leave every other pattern to it.
@Suite struct SimplePatternTests {
    static let simple = [
        "^[0-9]{13}\\.[0-9]{1,10}$", "^[0-9a-f]{64}$", "^[a-z][a-z0-9-]{1,62}$", "a+b", "^\\d{2,3}$", "[A-Z]{2,}",
        "x?y*z", "^\\w+@\\w+\\.co$", "-", "", "^$", "a{0,2}b", "[._-]", "^[a-c]*[b-d]*c$", "\\\\", "\\[a\\]",
        "^[-a]+$", "[a-]", "b$", "^a", "[0-9][0-9]*9", "^[.]{2}",
    ]
    static let notSimple = ["(a|b)", "a.b", "[^a]", "\\s", "a+?", "é", "^a|b$", "(?=a)", "\\bx", "[[:alpha:]]", "a{2}{3}"]

    @Test func simplePatternsAreTakenAndOthersLeftToICU() {
        for p in Self.simple { #expect(SimplePattern(p) != nil, "\(p) should be matched without ICU") }
        for p in Self.notSimple { #expect(SimplePattern(p) == nil, "\(p) must be left to ICU") }
    }

    @Test func agreesWithICUOnRandomStrings() throws {
        let alphabet = Array("abcdxyz0189-._@[]\\AZé ")
        var rng = SplitMix64(state: 42)
        var matchedAtAll = 0
        // ICU refuses the empty pattern, which ECMA-262 allows: it matches everything.
        #expect(try ECMARegex("").matches("any") && SimplePattern("")!.matches(""))
        for p in Self.simple where !p.isEmpty {
            let s = try #require(SimplePattern(p))
            let icu = try NSRegularExpression(pattern: ECMARegex.translate(p))
            for _ in 0..<3_000 {
                let text = String((0..<Int.random(in: 0...14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
                let expected = icu.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil
                #expect(s.matches(text) == expected, "pattern \(p) on \"\(text)\": ICU says \(expected)")
                if expected { matchedAtAll += 1 }
            }
        }
        // Both answers were met often: the comparison is not one of misses only.
        #expect(matchedAtAll > 3_000, "only \(matchedAtAll) matches")
        // The standard's anchored patterns, which random strings rarely meet.
        #expect(SimplePattern("^[0-9a-f]{64}$")!.matches(String(repeating: "ab", count: 32)))
        #expect(!SimplePattern("^[0-9a-f]{64}$")!.matches(String(repeating: "ab", count: 32) + "\n"))
        #expect(SimplePattern("^[0-9]{13}\\.[0-9]{1,10}$")!.matches("1717056000000.2"))
        #expect(!SimplePattern("^[0-9]{13}\\.[0-9]{1,10}$")!.matches("1717056000000x2"))
        #expect(SimplePattern("^[a-z][a-z0-9-]{1,62}$")!.matches("bj-chaoyang-amr") && !SimplePattern("^[a-z][a-z0-9-]{1,62}$")!.matches("Bj-amr"))
    }
}

/// The samples' seeded generator, so a failure can be replayed.
