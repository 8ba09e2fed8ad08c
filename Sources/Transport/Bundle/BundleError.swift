/// A bundle that cannot be written or read; the message names the file and the fix.
public struct BundleError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
