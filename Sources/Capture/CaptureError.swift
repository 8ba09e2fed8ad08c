/// Why a capture source cannot be read or set up, naming the source, the
/// database and the table, and the fix where one is known.
public struct CaptureError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
