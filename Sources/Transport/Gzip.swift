import CZlib

/// gzip for batches on the wire (DESIGN.md, Batch format), over zlib. Batches
/// are streamed, so both directions work a chunk at a time: `Deflater` and
/// `Inflater`; `compress` and `decompress` are the whole-buffer forms.
public enum Gzip {
    public static func compress(_ input: [UInt8], level: Int32 = 1) -> [UInt8] {
        let d = Deflater(level: level)
        var out = d.compress(input)
        out += d.finish()
        return out
    }

    /// Decompresses gzip (or zlib) data, refusing output beyond `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        let inflater = try Inflater(limit: limit)
        var out: [UInt8] = []
        do {
            try input.withUnsafeBytes { b in try inflater.feed(b) { out.append(contentsOf: $0) } }
        } catch let e as GzipError { throw e } catch { throw .invalid }
        try inflater.finish()
        return out
    }
}

/// Compresses a stream: bytes in as they are produced, compressed bytes out
/// whenever zlib has some, the gzip trailer at `finish`.
public final class Deflater {
    private var stream = z_stream()
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    /// Level 1: on batches of JSON it gives most of the size gain for a fraction of the CPU.
    public init(level: Int32 = 1) {
        precondition(hutong_deflate_init_gzip(&stream, level) == Z_OK, "zlib could not start")
    }

    deinit { deflateEnd(&stream) }

    public func compress(_ input: [UInt8]) -> [UInt8] { run(input, flush: Z_NO_FLUSH) }

    public func finish() -> [UInt8] { run([], flush: Z_FINISH) }

    private func run(_ input: [UInt8], flush: Int32) -> [UInt8] {
        var out: [UInt8] = []
        input.withUnsafeBufferPointer { inp in
            stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
            stream.avail_in = uInt(inp.count)
            var status: Int32 = Z_OK
            repeat {
                let n: Int = chunk.withUnsafeMutableBufferPointer { c in
                    stream.next_out = c.baseAddress
                    stream.avail_out = uInt(c.count)
                    status = deflate(&stream, flush)
                    return c.count - Int(stream.avail_out)
                }
                out.append(contentsOf: chunk[0..<n])
            } while stream.avail_out == 0 || (flush == Z_FINISH && status == Z_OK)
        }
        return out
    }
}

/// Decompresses a stream fed in pieces, refusing to produce more than `limit`
/// bytes in all (a small body must not expand without bound).
public final class Inflater {
    private var stream = z_stream()
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private let limit: Int
    private var produced = 0
    private var ended = false

    public init(limit: Int) throws(GzipError) {
        self.limit = limit
        guard hutong_inflate_init_gzip(&stream) == Z_OK else { throw .invalid }
    }

    deinit { inflateEnd(&stream) }

    /// Decompresses `input`, handing each piece of output to `output`. Throws
    /// `GzipError`, or what `output` throws.
    public func feed(_ input: UnsafeRawBufferPointer, _ output: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard input.count > 0 else { return }
        guard !ended else { throw GzipError.invalid }  // bytes after the end of the gzip stream
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress)
        stream.avail_in = uInt(input.count)
        while stream.avail_in > 0 || stream.avail_out == 0 {
            var status: Int32 = Z_OK
            let n: Int = chunk.withUnsafeMutableBufferPointer { c in
                stream.next_out = c.baseAddress
                stream.avail_out = uInt(c.count)
                status = inflate(&stream, Z_NO_FLUSH)
                return c.count - Int(stream.avail_out)
            }
            guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && n == 0) else { throw GzipError.invalid }
            produced += n
            guard produced <= limit else { throw GzipError.tooLarge(limit) }
            if n > 0 { try chunk.withUnsafeBufferPointer { c in try output(UnsafeBufferPointer(rebasing: c[0..<n])) } }
            if status == Z_STREAM_END {
                ended = true
                guard stream.avail_in == 0 else { throw GzipError.invalid }
                return
            }
            if n == 0 && stream.avail_in == 0 { return }
        }
    }

    /// Throws when the stream stopped before its end (truncated).
    public func finish() throws(GzipError) {
        guard ended else { throw .invalid }
    }
}

public enum GzipError: Error, Equatable, CustomStringConvertible {
    case invalid
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .invalid: "the body is not valid gzip (or it is cut short)"
        case .tooLarge(let n): "the body is larger than the limit of \(n) bytes once decompressed"
        }
    }
}
