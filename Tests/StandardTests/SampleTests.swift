import Testing
@testable import Standard

/// Generated samples are what they claim: valid ones pass, and each invalid one
/// fails at the place its defect names.
@Suite struct SampleTests {
    @Test(arguments: StandardCatalog.recordTypeNames)
    func samplesMatchTheirVerdicts(type: String) throws {
        let schema = try #require(StandardSchemaTests.catalog.schema(named: type))
        var g = try SampleGenerator(type: type, seed: 42, invalidRatio: 0.3)
        var invalid = 0
        for _ in 0..<600 {
            let s = g.next()
            let errors = schema.validate(s.record).filter { $0.severity == .error }
            if let d = s.defect {
                invalid += 1
                #expect(!errors.isEmpty, "\(type): defect \"\(d.rule)\" not caught")
                #expect(errors.contains { $0.instanceLocation == d.instanceLocation },
                        "\(type): defect \"\(d.rule)\" expected at \(d.instanceLocation), got \(errors.map(\.instanceLocation))")
            } else {
                #expect(errors.isEmpty, "\(type): valid sample rejected: \(errors.map { "\($0.instanceLocation): \($0.message)" })")
            }
        }
        #expect(invalid > 100)
    }

    @Test func sameSeedSameRecords() throws {
        var a = try SampleGenerator(type: "penalty", seed: 9), b = try SampleGenerator(type: "penalty", seed: 9)
        var c = try SampleGenerator(type: "penalty", seed: 10)
        let x = a.next().record
        #expect(x == b.next().record)
        #expect(x != c.next().record)
    }

    @Test func generatedIdentifiersPassTheirChecks() throws {
        var rng = SplitMix64(state: 3)
        for _ in 0..<500 {
            #expect(ChineseIdentifiers.uscc(SampleData.uscc(&rng, kind: "91", region: "110105")) == .valid)
            #expect(ChineseIdentifiers.residentID(SampleData.residentID(&rng, region: "310115")) == .valid)
        }
    }

    @Test func unknownTypeAndBadRatioAreRefused() {
        #expect(throws: SampleError.self) { _ = try SampleGenerator(type: "penalties") }
        #expect(throws: SampleError.self) { _ = try SampleGenerator(type: "penalty", invalidRatio: 1.5) }
    }
}
