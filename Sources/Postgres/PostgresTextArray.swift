import NIOCore
import PostgresNIO

/// A `text[]` parameter written element by element straight into
/// PostgreSQL's binary array form. The store sends its versions as one array
/// a column: made of Swift strings, each body would be checked as UTF-8 into
/// a string and copied again by the encoder; here its bytes are copied once.
/// No element is NULL.
public struct PostgresTextArray: Sendable {
    /// The elements as the array's body holds them: each its length, then its bytes.
    private var elements = ByteBuffer()
    public private(set) var count = 0

    public init() {}

    public mutating func append(_ text: String) {
        elements.writeInteger(Int32(text.utf8.count))
        elements.writeString(text)
        count += 1
    }

    /// Appends text given as its UTF-8 bytes (valid UTF-8: the server refuses anything else).
    public mutating func append(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        elements.writeInteger(Int32(bytes.count))
        elements.writeBytes(bytes)
        count += 1
    }

    public mutating func removeAll() {
        elements.clear()
        count = 0
    }
}

extension PostgresTextArray: PostgresNonThrowingEncodable {
    public static var psqlType: PostgresDataType { .textArray }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // Dimensions (none when empty), no NULLs, the elements' type.
        buffer.writeInteger(count == 0 ? 0 : 1, as: UInt32.self)
        buffer.writeInteger(0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.text.rawValue)
        guard count > 0 else { return }
        // One dimension: its length and lower bound.
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(1, as: Int32.self)
        buffer.writeImmutableBuffer(elements)
    }
}
