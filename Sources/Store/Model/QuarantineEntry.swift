public struct QuarantineEntry: Sendable, Equatable {
    public let id: Int64
    public let source: String
    public let text: String
    public let reason: String
    public let at: String
}
