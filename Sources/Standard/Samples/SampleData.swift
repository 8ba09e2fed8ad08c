import JSONSchema

/// A small deterministic PRNG (SplitMix64): the same seed gives the same records
/// on every machine, so demos, tests and benchmarks are repeatable.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
    mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
}

/// Realistic values: places, agencies, names and identifiers with correct check characters.
enum SampleData {
    struct Place { let code: String; let name: String; let abbr: String }
    static let places = [
        Place(code: "110105", name: "北京市朝阳区", abbr: "京朝"),
        Place(code: "110108", name: "北京市海淀区", abbr: "京海"),
        Place(code: "310115", name: "上海市浦东新区", abbr: "沪浦"),
        Place(code: "440305", name: "深圳市南山区", abbr: "深南"),
        Place(code: "330106", name: "杭州市西湖区", abbr: "杭西"),
        Place(code: "510107", name: "成都市武侯区", abbr: "蓉武"),
        Place(code: "320505", name: "苏州市虎丘区", abbr: "苏虎"),
        Place(code: "420106", name: "武汉市武昌区", abbr: "鄂武"),
    ]
    struct Department { let suffix: String; let short: String; let domain: String }
    static let departments = [
        Department(suffix: "市场监督管理局", short: "市监", domain: "市场监管"),
        Department(suffix: "生态环境局", short: "环", domain: "生态环境保护"),
        Department(suffix: "交通运输局", short: "交", domain: "交通运输"),
        Department(suffix: "应急管理局", short: "应急", domain: "安全生产"),
    ]
    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高").map(String.init)
    static let givenNames = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "建国", "桂英", "志强"]
    static let brands = ["华信", "恒达", "宏远", "鑫源", "金诚", "东方", "新世纪", "嘉禾", "瑞丰", "天成", "永安", "中盛"]
    static let trades = ["科技", "贸易", "餐饮管理", "建材", "物流", "食品", "医药连锁", "汽车维修", "化工", "运输"]
    struct Violation { let type: String; let rule: String; let basis: String; let facts: String }
    static let violations = [
        Violation(type: "未按规定公示年度报告", rule: "《企业信息公示暂行条例》第八条", basis: "《企业信息公示暂行条例》第十七条", facts: "当事人未在规定期限内报送并公示上一年度年度报告。"),
        Violation(type: "销售不符合食品安全标准的食品", rule: "《中华人民共和国食品安全法》第三十四条", basis: "《中华人民共和国食品安全法》第一百二十四条", facts: "当事人销售的散装熟食经抽检菌落总数超出食品安全标准限量。"),
        Violation(type: "超标排放大气污染物", rule: "《中华人民共和国大气污染防治法》第十八条", basis: "《中华人民共和国大气污染防治法》第九十九条第二项", facts: "经监测，当事人锅炉废气颗粒物排放浓度超过排放标准。"),
        Violation(type: "道路运输车辆未按规定进行维护", rule: "《中华人民共和国道路运输条例》第三十条", basis: "《中华人民共和国道路运输条例》第七十条", facts: "当事人所属营运车辆未按规定进行二级维护即投入运营。"),
        Violation(type: "价格欺诈", rule: "《中华人民共和国价格法》第十四条第四项", basis: "《价格违法行为行政处罚规定》第七条", facts: "当事人以虚假的原价进行促销，诱骗消费者交易。"),
        Violation(type: "未取得许可从事经营活动", rule: "《中华人民共和国行政许可法》第八十一条", basis: "《无证无照经营查处办法》第十三条", facts: "当事人未取得食品经营许可证从事食品销售活动。"),
    ]

    static let usccChars = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    /// A 统一社会信用代码 with a correct embedded 组织机构代码 and check character.
    /// `kind`: "11" 机关, "91" 企业, "92" 个体工商户.
    static func uscc(_ rng: inout SplitMix64, kind: String, region: String) -> String {
        var body: [UInt8] = []
        for _ in 0..<8 { body.append(UInt8(ascii: "0") + UInt8(rng.int(0...9))) }
        if rng.chance(0.3) { body[rng.int(0...7)] = UInt8(ascii: "A") + UInt8(rng.int(0...7)) }
        let orgCheck = ChineseIdentifiers.orgCheckCharacter(body)!
        var first17 = Array((kind + region).utf8) + body
        first17.append(Array(String(orgCheck).utf8)[0])
        let check = ChineseIdentifiers.usccCheckCharacter(first17)!
        return String(decoding: first17, as: UTF8.self) + String(check)
    }

    /// A 公民身份号码 with a real address code, birth date and check character.
    static func residentID(_ rng: inout SplitMix64, region: String) -> String {
        let y = rng.int(1950...2003), m = rng.int(1...12), d = rng.int(1...28)
        let body = region + String(format4: y) + String(format2: m) + String(format2: d) + String(format3: rng.int(1...999))
        return body + String(ChineseIdentifiers.residentIDCheckCharacter(Array(body.utf8))!)
    }

    static func personName(_ rng: inout SplitMix64) -> String { rng.pick(surnames) + rng.pick(givenNames) }

    static func companyName(_ rng: inout SplitMix64, place: Place) -> String {
        let city = place.name.prefix(while: { $0 != "市" }) + "市"
        return city + rng.pick(brands) + rng.pick(trades) + "有限公司"
    }

    /// An ISO date `days` after 2022-01-01.
    static func date(daysAfter2022 days: Int) -> String {
        var y = 2022, m = 1, d = 1 + days
        while true {
            let dim = DateFormats.daysIn(month: m, year: y)
            if d <= dim { break }
            d -= dim
            m += 1
            if m > 12 { m = 1; y += 1 }
        }
        return String(format4: y) + "-" + String(format2: m) + "-" + String(format2: d)
    }
}

extension String {
    /// Zero-padded decimal, as dates and serial numbers are written.
    static func padded(_ v: Int, _ width: Int) -> String {
        let digits = "\(v)"
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
    init(format2 v: Int) { self = .padded(v, 2) }
    init(format3 v: Int) { self = .padded(v, 3) }
    init(format4 v: Int) { self = .padded(v, 4) }
}
