import Testing
@testable import Normalise

@Suite struct TextTransformTests {
    /// 全角 → 半角 covers the full-width forms and the ideographic space, and
    /// nothing else: circled digits, ㎡ and the brackets of document numbers stay.
    @Test func halfwidthTouchesOnlyFullWidthForms() {
        #expect(TextTransforms.halfwidth("苏市监罚〔２０２３〕１２号") == "苏市监罚〔2023〕12号")
        #expect(TextTransforms.halfwidth("ＡＢＣ　ｘｙｚ！") == "ABC xyz!")
        #expect(TextTransforms.halfwidth("①号楼 120㎡") == "①号楼 120㎡")
        #expect(TextTransforms.halfwidth("（一）") == "(一)")
    }

    @Test func trimAndCollapseKnowChineseWhiteSpace() {
        #expect(TextTransforms.trim("\u{3000} 恒达公司\u{FEFF}\t") == "恒达公司")
        #expect(TextTransforms.collapse("苏州市\u{3000}\u{3000}姑苏区 \n 恒达") == "苏州市 姑苏区 恒达")
        #expect(TextTransforms.trim(" \u{3000} ") == "")
    }

    /// The byte-level test the clean-ups use first says the same as `isSpace`
    /// for every scalar of the Basic Multilingual Plane and some beyond, in
    /// the middle of text and at its end; and the half-width check finds
    /// exactly the forms it converts.
    @Test func byteLevelChecksAgreeWithTheScalarOnes() {
        let scalars = (0..<0x1_0000).compactMap(Unicode.Scalar.init) + [Unicode.Scalar(0x1_F600)!, Unicode.Scalar(0x2_0000)!]
        for u in scalars {
            let alone = String(u), inside = "a" + String(u) + "b"
            let length = TextTransforms.withBytes(alone) { TextTransforms.spaceLength($0, at: 0) }
            #expect((length > 0) == TextTransforms.isSpace(u) && (length == 0 || length == alone.utf8.count), "U+\(String(u.value, radix: 16))")
            #expect(TextTransforms.hasSpaceAtEnds(alone) == TextTransforms.isSpace(u))
            #expect((TextTransforms.collapse(inside) == inside) == !TextTransforms.isSpace(u) || u == " ")
            let wide = (0xFF01...0xFF5E).contains(u.value) || u.value == 0x3000
            #expect((TextTransforms.halfwidth(inside) != inside) == wide, "U+\(String(u.value, radix: 16))")
        }
    }

    @Test func caseChangesOnlyASCII() {
        #expect(TextTransforms.upper("91320505ma1xk3b73x") == "91320505MA1XK3B73X")
        #expect(TextTransforms.lower("ABC中文İ") == "abc中文İ")
    }
}
