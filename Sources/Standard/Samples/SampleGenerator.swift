import JSON

/// Writes realistic standard records for demos, tests and benchmarks. A share of
/// them can be made invalid on purpose, each for one known reason, so that a
/// test can check the validator catches exactly that.
public struct SampleGenerator {
    /// Why a generated record is invalid, and where the validator should say so.
    public struct Defect: Sendable, Equatable {
        public let rule: String
        /// Instance location of the error the validator must report.
        public let instanceLocation: String
    }

    public struct Sample: Sendable {
        public let record: JSONValue
        public let defect: Defect?
    }

    public let type: String
    public let invalidRatio: Double
    var rng: SplitMix64
    var serial = 0

    public init(type: String, seed: UInt64 = 1, invalidRatio: Double = 0) throws(SampleError) {
        guard StandardCatalog.recordTypeNames.contains(type) else { throw .unknownType(type) }
        guard (0...1).contains(invalidRatio) else { throw .badRatio(invalidRatio) }
        self.type = type
        self.invalidRatio = invalidRatio
        self.rng = SplitMix64(state: seed)
    }

    public mutating func next() -> Sample {
        serial += 1
        var record = SampleRecords.build(type, serial: serial, &rng)
        guard invalidRatio > 0, rng.chance(invalidRatio) else { return Sample(record: .object(record), defect: nil) }
        let defect = SampleDefects.apply(to: &record, type: type, &rng)
        return Sample(record: .object(record), defect: defect)
    }
}

public enum SampleError: Error, CustomStringConvertible, Equatable {
    case unknownType(String)
    case badRatio(Double)

    public var description: String {
        switch self {
        case .unknownType(let t): "unknown record type \"\(t)\"; use one of \(StandardCatalog.recordTypeNames.joined(separator: ", "))"
        case .badRatio(let r): "--invalid-ratio must be between 0 and 1, got \(r)"
        }
    }
}
