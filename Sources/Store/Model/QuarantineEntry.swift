/// A record or row that could not be used, with why and where it came from.
public struct QuarantineEntry: Sendable, Equatable {
    public let id: Int64
    /// What took it in (`import FILE`, a peer's name).
    public let source: String
    /// The record's text, or the row's columns as JSON.
    public let text: String
    public let reason: String
    public let at: String
    /// The mapping file a row was read through, when it was.
    public var mapping: String? = nil
    /// Where the row was: `FILE:LINE (ID=…)`.
    public var place: String? = nil
    /// How many times it was tried (1, then one more per `hutong quarantine retry`).
    public var attempts: Int = 1
}

/// What to quarantine: a record or row with its reason and source; a row
/// read through a mapping also with what a retry needs, the mapping and its place.
public struct QuarantinedRow: Sendable {
    public let source: String
    public let text: String
    public let reason: String
    public let mapping: String?
    public let place: String?

    public init(source: String, text: String, reason: String, mapping: String? = nil, place: String? = nil) {
        self.source = source; self.text = text; self.reason = reason; self.mapping = mapping; self.place = place
    }
}
