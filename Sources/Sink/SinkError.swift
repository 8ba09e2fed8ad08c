/// Why a sink cannot write: its database, its tables; the message names the sink and the fix.
public struct SinkError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
