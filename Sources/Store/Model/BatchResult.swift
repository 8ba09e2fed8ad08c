/// Per-record outcome of applying a remote version.
public enum RecordOutcome: String, Sendable, Equatable, CaseIterable {
    case applied
    case alreadyHad = "already-had"
    case merged
    case conflict
    case divergence
    case rejected
}

public struct BatchResult: Sendable, Equatable {
    public let outcomes: [RecordOutcome]
    /// True when the batch id had been applied before and nothing was done now.
    public let repeated: Bool
    /// Why versions were quarantined here, beyond the batch's own `rejected`
    /// (a clock too far ahead, a forged vector …); empty for a repeat.
    public var refused: [String] = []

    public init(outcomes: [RecordOutcome], repeated: Bool, refused: [String] = []) {
        self.outcomes = outcomes; self.repeated = repeated; self.refused = refused
    }

    public func count(_ o: RecordOutcome) -> Int { outcomes.filter { $0 == o }.count }
}
