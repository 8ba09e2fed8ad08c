import Testing
@testable import Normalise

/// Money to 分 is decimal arithmetic: each case here goes wrong through a Double.
@Suite struct MoneyParserTests {
    @Test(arguments: [
        ("0.0123", MoneyUnit.wanYuan, Int64(12_300)), ("1.5", .wanYuan, 1_500_000), ("0.2", .wanYuan, 200_000),
        ("2000元", .wanYuan, 200_000), ("1.5万元", .yuan, 1_500_000), ("1,234.56", .yuan, 123_456), ("1，234.5元", .yuan, 123_450),
        ("¥ 88", .yuan, 8_800), ("１２３．４", .yuan, 12_340), ("0.29", .yuan, 29), ("4.35", .yuan, 435), ("1.5E+3", .yuan, 150_000),
        ("15000", .fen, 15_000), ("3", .jiao, 30), ("1000元整", .wanYuan, 100_000), ("0", .yuan, 0), ("0.100000", .wanYuan, 100_000),
        ("90071992547409.91", .yuan, 9_007_199_254_740_991),
    ])
    func convertsExactly(_ text: String, _ unit: MoneyUnit, _ fen: Int64) throws {
        #expect(try MoneyParser.fen(text, unit: unit) == fen)
    }

    @Test func problemsAreNamed() throws {
        #expect(throws: MoneyProblem.fractionOfFen(.wanYuan)) { _ = try MoneyParser.fen("0.0000001", unit: .wanYuan) }
        #expect(throws: MoneyProblem.fractionOfFen(.yuan)) { _ = try MoneyParser.fen("1.005", unit: .yuan) }
        #expect(throws: MoneyProblem.inWords) { _ = try MoneyParser.fen("壹万元整", unit: .yuan) }
        #expect(throws: MoneyProblem.negative) { _ = try MoneyParser.fen("-5", unit: .yuan) }
        #expect(throws: MoneyProblem.tooLarge) { _ = try MoneyParser.fen("90071992547409.92", unit: .yuan) }
        #expect(throws: MoneyProblem.tooLarge) { _ = try MoneyParser.fen("99999999999999999999999", unit: .fen) }
        for bad in ["", "元", "1.2.3", "12a", "1,", ",5", "1.5,000", "--1", "1e", "NaN"] {
            #expect(throws: MoneyProblem.self, "\(bad)") { _ = try MoneyParser.fen(bad, unit: .yuan) }
        }
        #expect(try MoneyParser.fen("-5", unit: .yuan, allowNegative: true) == -500)
    }
}
