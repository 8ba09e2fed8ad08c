import CISAL

/// gzip for batches on the wire (docs/architecture.md, "Batches"), over ISA-L's
/// igzip: the streams are standard gzip (zlib, curl and every HTTP client
/// read them), made and read several times faster than by zlib at its
/// fastest level, which made compression the serving node's largest cost
/// (figures in Benchmarks/README.md).
/// Batches are streamed, so both directions work a chunk at a time:
/// `Deflater` and `Inflater`; `compress` and `decompress` are the
/// whole-buffer forms.
public enum Gzip {
    public static func compress(_ input: [UInt8], level: Int = 1) -> [UInt8] {
        let d = Deflater(level: level)
        var out = d.compress(input)
        out += d.finish()
        return out
    }

    /// Decompresses gzip data, refusing output beyond `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        let inflater = Inflater(limit: limit)
        var out: [UInt8] = []
        do {
            try input.withUnsafeBytes { b in try inflater.feed(b) { out.append(contentsOf: $0) } }
        } catch let e as GzipError { throw e } catch { throw .invalid }
        try inflater.finish()
        return out
    }

    /// A pointer for an empty input, which has no buffer of its own.
    /// (Never written through: igzip only reads input.)
    nonisolated(unsafe) fileprivate static let empty: UnsafeMutablePointer<UInt8> = .allocate(capacity: 1)
    fileprivate static let chunkSize = 1 << 16
}

/// Compresses a stream: bytes in as they are produced, compressed bytes out
/// whenever igzip has some, the gzip trailer at `finish`. igzip copies what it
/// keeps of the input, so the caller's buffer is free again on return.
public final class Deflater {
    private let stream = UnsafeMutablePointer<isal_zstream>.allocate(capacity: 1)
    private let levelBuffer: UnsafeMutableRawBufferPointer
    private var chunk = [UInt8](repeating: 0, count: Gzip.chunkSize)

    /// Levels 0 to 3; 1 (the default) gives most of the size gain on batches
    /// of JSON for little CPU, 0 is faster still and a little larger.
    public init(level: Int = 1) {
        let level = UInt32(min(max(level, 0), 3))
        levelBuffer = .allocate(byteCount: max(1, Int(hutong_isal_level_buffer_size(level))), alignment: 64)
        isal_deflate_init(stream)
        stream.pointee.gzip_flag = UInt16(IGZIP_GZIP)
        stream.pointee.level = level
        if level > 0 {
            stream.pointee.level_buf = levelBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.pointee.level_buf_size = UInt32(levelBuffer.count)
        }
    }

    deinit {
        stream.deallocate()
        levelBuffer.deallocate()
    }

    public func compress(_ input: [UInt8]) -> [UInt8] { run(input, end: false) }

    public func finish() -> [UInt8] { run([], end: true) }

    private func run(_ input: [UInt8], end: Bool) -> [UInt8] {
        var out: [UInt8] = []
        input.withUnsafeBufferPointer { inp in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inp.baseAddress) ?? Gzip.empty
            stream.pointee.avail_in = UInt32(inp.count)
            stream.pointee.end_of_stream = end ? 1 : 0
            stream.pointee.flush = UInt16(NO_FLUSH)
            repeat {
                let n: Int = chunk.withUnsafeMutableBufferPointer { c in
                    stream.pointee.next_out = c.baseAddress
                    stream.pointee.avail_out = UInt32(c.count)
                    // Fails only for a bad level or flush, which init rules out.
                    precondition(isal_deflate(stream) == COMP_OK, "igzip refused its own settings")
                    return c.count - Int(stream.pointee.avail_out)
                }
                out.append(contentsOf: chunk[0..<n])
            } while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0
                || (end && stream.pointee.internal_state.state != ZSTATE_END)
        }
        return out
    }
}

/// Decompresses a gzip stream fed in pieces, refusing to produce more than
/// `limit` bytes in all (a small body must not expand without bound), and
/// bytes after the stream's end.
public final class Inflater {
    private let state = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)
    private var chunk = [UInt8](repeating: 0, count: Gzip.chunkSize)
    private let limit: Int
    private var produced = 0
    private var ended = false

    public init(limit: Int) {
        self.limit = limit
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)  // header parsed, CRC-32 and length checked
    }

    deinit { state.deallocate() }

    /// Decompresses `input`, handing each piece of output to `output`. Throws
    /// `GzipError`, or what `output` throws.
    public func feed(_ input: UnsafeRawBufferPointer, _ output: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard input.count > 0 else { return }
        guard !ended else { throw GzipError.invalid }  // bytes after the end of the gzip stream
        state.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress)
        state.pointee.avail_in = UInt32(input.count)
        repeat {
            var status: Int32 = 0
            let before = state.pointee.avail_in
            let n: Int = chunk.withUnsafeMutableBufferPointer { c in
                state.pointee.next_out = c.baseAddress
                state.pointee.avail_out = UInt32(c.count)
                status = isal_inflate(state)
                return c.count - Int(state.pointee.avail_out)
            }
            // Negative: a broken block, symbol, distance, wrapper or checksum; a
            // stream asking for a preset dictionary is not a gzip body either.
            guard status >= 0, status != ISAL_NEED_DICT else { throw GzipError.invalid }
            // Neither read nor written: another call would not move either (a peer's bytes must not hang us).
            guard n > 0 || before == 0 || state.pointee.avail_in < before else { throw GzipError.invalid }
            produced += n
            guard produced <= limit else { throw GzipError.tooLarge(limit) }
            if n > 0 { try chunk.withUnsafeBufferPointer { c in try output(UnsafeBufferPointer(rebasing: c[0..<n])) } }
            if state.pointee.block_state == ISAL_BLOCK_FINISH {
                ended = true
                guard state.pointee.avail_in == 0 else { throw GzipError.invalid }
                return
            }
        } while state.pointee.avail_in > 0 || state.pointee.avail_out == 0
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
