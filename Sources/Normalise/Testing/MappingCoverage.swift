/// Which branches of a mapping its tests went through: each case of a field,
/// each outcome each step can have (a changed value, an unknown code, a bad
/// date…), a default used, a value left empty. A mapping is maintained like
/// code; this says which of its paths no test has tried.
public struct MappingCoverage: Sendable {
    enum Point: Hashable, Sendable {
        case caseTaken(Int)
        case noCase
        case step(Int, Int, Step.Outcome)
        case defaulted(Int)
        case empty(Int)
    }

    struct FieldPoints: Sendable {
        let field: String
        let rule: FieldRule
        let points: [Point]
    }

    let fields: [FieldPoints]
    private(set) var hits: Set<String> = []

    init(_ mapping: Mapping) {
        fields = mapping.fields.map { rule in
            var points: [Point] = []
            let conditional = rule.cases.count > 1 || rule.cases.contains { $0.when != nil }
            for (ci, c) in rule.cases.enumerated() {
                if conditional { points.append(.caseTaken(ci)) }
                for (si, s) in c.steps.enumerated() { points += s.outcomes.map { .step(ci, si, $0) } }
                if case .constant = c.source { continue }
                points.append(c.defaultValue != nil ? .defaulted(ci) : .empty(ci))
            }
            if rule.cases.allSatisfy({ $0.when != nil }) { points.append(.noCase) }
            return FieldPoints(field: rule.name, rule: rule, points: points)
        }
    }

    mutating func hit(_ field: String, _ point: Point) { hits.insert(Self.key(field, point)) }

    static func key(_ field: String, _ p: Point) -> String { "\(field)|\(p)" }

    /// Points tried and points in all.
    public var counts: (tried: Int, total: Int) {
        let all = fields.flatMap { f in f.points.map { Self.key(f.field, $0) } }
        return (all.filter(hits.contains).count, all.count)
    }

    /// One line per point: ✓ tried or ✗ not, with what it is.
    public var lines: [String] {
        fields.flatMap { f in
            f.points.map { p in "\(hits.contains(Self.key(f.field, p)) ? "✓" : "✗") \(f.field): \(describe(p, f.rule))" }
        }
    }

    private func describe(_ p: Point, _ rule: FieldRule) -> String {
        let many = rule.cases.count > 1
        func c(_ i: Int) -> String { many ? "case \(i + 1) " : "" }
        switch p {
        case .caseTaken(let i): return "case \(i + 1) taken"
        case .noCase: return "no case holds (field left out)"
        case .step(let ci, let si, let o): return "\(c(ci))\(rule.cases[ci].steps[si].name) \(o)"
        case .defaulted(let i): return "\(c(i))empty value, default used"
        case .empty(let i): return "\(c(i))empty value (field left out)"
        }
    }
}
