/// Where and why a text is not JSON. Line and column are 1-based and count
/// Unicode scalars, as an editor shows them.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var line: Int
    public var column: Int
    public var reason: String

    public var description: String { "line \(line), column \(column): \(reason)" }

    /// Computes line and column of `offset` within `bytes` (only on the error path).
    public static func at(_ offset: Int, in bytes: UnsafeBufferPointer<UInt8>, reason: String, firstLine: Int = 1) -> JSONParseError {
        var line = firstLine, column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return JSONParseError(offset: offset, line: line, column: column, reason: reason)
    }
}
