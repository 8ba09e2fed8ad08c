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

    @Test func caseChangesOnlyASCII() {
        #expect(TextTransforms.upper("91320505ma1xk3b73x") == "91320505MA1XK3B73X")
        #expect(TextTransforms.lower("ABC中文İ") == "abc中文İ")
    }
}
