import CZlib

/// gzip for batches on the wire (DESIGN.md, Batch format), over zlib.
public enum Gzip {
    public static func compress(_ input: [UInt8], level: Int32 = 1) -> [UInt8] {
        var stream = z_stream()
        guard hutong_deflate_init_gzip(&stream, level) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let produced: Int = input.withUnsafeBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
                stream.avail_in = uInt(inp.count)
                stream.next_out = o.baseAddress
                stream.avail_out = uInt(o.count)
                _ = deflate(&stream, Z_FINISH)
                return o.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(produced...)
        return out
    }

    /// Decompresses gzip (or zlib) data, refusing output beyond `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        guard hutong_inflate_init_gzip(&stream) == Z_OK else { throw .invalid }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { inp throws(GzipError) in
            stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
            stream.avail_in = uInt(inp.count)
            repeat {
                let n: Int = chunk.withUnsafeMutableBufferPointer { c in
                    stream.next_out = c.baseAddress
                    stream.avail_out = uInt(c.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return c.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else { throw .invalid }
                out.append(contentsOf: chunk[0..<n])
                guard out.count <= limit else { throw .tooLarge(limit) }
                if n == 0 && status == Z_OK && stream.avail_in == 0 { throw .invalid }  // truncated
            } while status != Z_STREAM_END
        }
        return out
    }
}

public enum GzipError: Error, Equatable, CustomStringConvertible {
    case invalid
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .invalid: "the body is not valid gzip"
        case .tooLarge(let n): "the body is larger than the limit of \(n) bytes once decompressed"
        }
    }
}
