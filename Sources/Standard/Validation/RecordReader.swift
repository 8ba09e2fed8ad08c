import Foundation

/// One record's text inside a chunk, with where it starts in its file.
public struct RawRecord: Sendable {
    public let range: Range<Int>
    /// 1-based line and column of the record's first character.
    public let line: Int
    public let column: Int
    /// 1-based position of the record in its file.
    public let index: Int
}

/// A buffer of whole records. Files are read a chunk at a time, so a file of any
/// size validates in bounded memory.
public struct RecordChunk: Sendable {
    public let bytes: [UInt8]
    public let records: [RawRecord]
}

/// A problem with a file's structure rather than with one record in it.
public struct FileProblem: Error, Sendable {
    public let line: Int
    public let column: Int
    public let message: String
}

/// Splits a file into records without parsing them: NDJSON by line, a JSON file
/// holding an array by its top-level elements, any other JSON file as one record.
public final class RecordReader {
    public enum Layout: Sendable { case ndjson, json }

    public static let defaultChunkSize = 4 << 20
    /// How much is read at a time; a record longer than this still fits, as the buffer grows.
    public let chunkSize: Int

    public let path: String
    public let layout: Layout
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var eof = false
    private var recordCount = 0
    /// Line and column at `buffer[0]`.
    private var line = 1
    private var column = 1
    /// Array-scanner state (JSON layout).
    private var arrayMode: Bool?
    private var finished = false
    public private(set) var problem: FileProblem?

    public static func layout(for path: String) -> Layout {
        let ext = (path as NSString).pathExtension.lowercased()
        return ext == "ndjson" || ext == "jsonl" ? .ndjson : .json
    }

    public init(path: String, chunkSize: Int = RecordReader.defaultChunkSize) throws {
        self.path = path
        self.chunkSize = max(1, chunkSize)
        self.layout = Self.layout(for: path)
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        handle = h
    }

    deinit { try? handle.close() }

    private func fill() throws {
        guard !eof else { return }
        let data = try handle.read(upToCount: chunkSize) ?? Data()
        if data.isEmpty { eof = true } else { buffer.append(contentsOf: data) }
    }

    /// The next chunk of whole records, or nil when the file is done.
    public func next() throws -> RecordChunk? {
        while true {
            try fill()
            let (records, consumed) = layout == .ndjson ? splitLines() : splitJSON()
            if !records.isEmpty || (eof && consumed > 0) {
                let chunk = RecordChunk(bytes: buffer, records: records)
                advance(consumed)
                return chunk
            }
            if eof {
                if layout == .json && !finished && problem == nil {
                    if arrayMode == nil {
                        problem = FileProblem(line: 1, column: 1, message: "the file is empty; expected a JSON record or an array of records")
                    } else if arrayMode == true {
                        let (l, c) = position(at: buffer.count)
                        problem = FileProblem(line: l, column: c, message: "the array of records is not closed with ']' at the end of the file")
                    }
                }
                return nil
            }
        }
    }

    /// Drops `n` consumed bytes, keeping line/column of the new start.
    private func advance(_ n: Int) {
        guard n > 0 else { return }
        if let lines = linesConsumed {
            // NDJSON: whole lines were consumed, and splitLines counted them.
            line += lines
            column = 1
            linesConsumed = nil
            buffer.removeSubrange(0..<n)
            return
        }
        for b in buffer[0..<n] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        buffer.removeSubrange(0..<n)
    }

    private func position(at offset: Int) -> (Int, Int) {
        var l = line, c = column
        for b in buffer[0..<offset] {
            if b == 0x0A { l += 1; c = 1 } else if b & 0xC0 != 0x80 { c += 1 }
        }
        return (l, c)
    }

    /// Lines consumed by the last `splitLines`, so `advance` need not count them again.
    private var linesConsumed: Int?

    private func splitLines() -> ([RawRecord], Int) {
        var records: [RawRecord] = []
        var start = 0
        var l = line
        let n = buffer.count
        buffer.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            var i = 0
            while i < n {
                let found = memchr(base + i, 0x0A, n - i)
                let nl: Int
                if let found { nl = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base }
                else if eof { nl = n }
                else { break }
                var end = nl
                if end > i, b[end - 1] == 0x0D { end -= 1 }
                var first = i
                while first < end, b[first] == 0x20 || b[first] == 0x09 { first += 1 }
                if first < end {
                    recordCount += 1
                    records.append(RawRecord(range: first..<end, line: l, column: first - i + 1, index: recordCount))
                }
                l += 1
                i = nl + 1
                start = min(i, n)
            }
        }
        linesConsumed = l - line
        return (records, start)
    }

    private func isWS(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// Finds complete top-level array elements (or the single record) in the buffer.
    private func splitJSON() -> ([RawRecord], Int) {
        let n = buffer.count
        if arrayMode == nil {
            guard let first = buffer.firstIndex(where: { !isWS($0) }) else { return ([], eof ? n : 0) }
            arrayMode = buffer[first] == UInt8(ascii: "[")
            if arrayMode == true {
                advance(first + 1)
                return splitJSON()
            }
        }
        if arrayMode == false {
            // A single record: the whole file, once all of it is read.
            guard eof, !finished else { return ([], finished ? n : 0) }
            finished = true
            guard let first = buffer.firstIndex(where: { !isWS($0) }) else { return ([], n) }
            recordCount += 1
            let (l, c) = position(at: first)
            return ([RawRecord(range: first..<n, line: l, column: c, index: recordCount)], n)
        }
        var records: [RawRecord] = []
        var consumed = 0
        if finished {
            if let extra = buffer.firstIndex(where: { !isWS($0) }), problem == nil {
                let (l, c) = position(at: extra)
                problem = FileProblem(line: l, column: c, message: "unexpected text after the closing ']' of the array of records")
            }
            return ([], n)
        }
        buffer.withUnsafeBufferPointer { b in
            // Line and column of b[p], moved forward only, so positions cost one pass.
            var p = 0, pl = line, pc = column
            func at(_ target: Int) -> (Int, Int) {
                while p < target {
                    if b[p] == 0x0A { pl += 1; pc = 1 } else if b[p] & 0xC0 != 0x80 { pc += 1 }
                    p += 1
                }
                return (pl, pc)
            }
            var i = 0
            while i < n {
                while i < n, isWS(b[i]) { i += 1 }
                guard i < n else { break }
                if b[i] == UInt8(ascii: "]") {
                    if recordCount > 0 && problem == nil {
                        let (l, c) = at(i)
                        problem = FileProblem(line: l, column: c, message: "trailing ',' before the closing ']' of the array of records")
                    }
                    finished = true
                    consumed = i + 1
                    return
                }
                let start = i
                var depth = 0, inString = false, escaped = false
                var end: Int?
                var closing = false
                while i < n {
                    let c = b[i]
                    if inString {
                        if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                    } else if c == UInt8(ascii: "\"") {
                        inString = true
                    } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                        depth += 1
                    } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        if depth == 0 && c == UInt8(ascii: "]") { end = i; closing = true; break }
                        depth -= 1
                    } else if c == UInt8(ascii: ","), depth == 0 {
                        end = i
                        break
                    }
                    i += 1
                }
                guard let e = end else {
                    if eof {
                        // Unterminated array: hand the rest over as a record so its parse error is reported.
                        recordCount += 1
                        let (l, c) = at(start)
                        records.append(RawRecord(range: start..<n, line: l, column: c, index: recordCount))
                        consumed = n
                        finished = true
                        if problem == nil { problem = FileProblem(line: l, column: c, message: "the array of records is not closed with ']'") }
                    }
                    return
                }
                var trimmed = e
                while trimmed > start, isWS(b[trimmed - 1]) { trimmed -= 1 }
                recordCount += 1
                let (l, c) = at(start)
                records.append(RawRecord(range: start..<trimmed, line: l, column: c, index: recordCount))
                i = e + 1
                consumed = i
                if closing { finished = true; return }
            }
        }
        return (records, consumed)
    }
}
