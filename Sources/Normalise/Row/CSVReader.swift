import Foundation

/// CSV as agencies export it (RFC 4180): quoted fields with `""` inside and
/// line breaks, CRLF or LF, a byte-order mark or none, UTF-8 or GB18030
/// (GBK, which Excel on Chinese Windows writes). Read at the byte level a
/// chunk at a time, so memory stays bounded whatever the file's size: no byte
/// of a GB18030 character can be a comma, quote or line break, so records are
/// split before anything is decoded.
public final class CSVReader {
    public let path: String
    public private(set) var encoding: TextEncoding = .utf8
    /// The header's column names.
    public private(set) var header: [String] = []

    private let handle: FileHandle
    private let delimiter: UInt8
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEOF = false
    /// Line number (1-based) of the next byte to read.
    private var line = 1
    public static let chunkSize = 1 << 22
    private let chunkSize: Int
    /// The longest record accepted: a longer one is almost surely a quote left open.
    static let maxRecordBytes = 16 << 20

    /// One record: its line, and its fields as text or why it cannot be read.
    public struct Record: Sendable {
        public let line: Int
        public let fields: Result<[String], CSVProblem>
    }

    /// - Throws: `CSVProblem` when the file cannot be opened, or has no header.
    public init(path: String, encoding: TextEncoding? = nil, delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = CSVReader.chunkSize) throws(CSVProblem) {
        self.path = path
        self.delimiter = delimiter
        self.chunkSize = max(1, chunkSize)
        guard let h = FileHandle(forReadingAtPath: path) else { throw CSVProblem(line: nil, reason: "cannot open \(path)") }
        handle = h
        // Enough of the file to tell its encoding by.
        while buffer.count < 1 << 16 && !atEOF { refill() }
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        self.encoding = encoding ?? Self.guess(buffer[position...])
        guard let first = next() else { throw CSVProblem(line: 1, reason: "the file is empty: a CSV file starts with a header line of column names") }
        guard case .success(let names) = first.fields else {
            if case .failure(let p) = first.fields { throw p }
            throw CSVProblem(line: 1, reason: "unreadable header")
        }
        header = names.map { TextTransforms.trim($0) }
        guard !header.allSatisfy(\.isEmpty) else { throw CSVProblem(line: 1, reason: "the header line has no column names") }
    }

    deinit { try? handle.close() }

    /// UTF-8 when the start of the file is valid UTF-8 (a character cut at the
    /// end of the sample aside), else GB18030.
    static func guess(_ sample: ArraySlice<UInt8>) -> TextEncoding {
        var end = sample.endIndex
        // Drop a multi-byte sequence cut off by the sample's end.
        var back = 0
        while back < 4, end > sample.startIndex, sample[end - 1] & 0xC0 == 0x80 { end -= 1; back += 1 }
        if end > sample.startIndex, sample[end - 1] >= 0xC0 { end -= 1 }
        return String(validating: sample[sample.startIndex..<end], as: UTF8.self) != nil ? .utf8 : .gb18030
    }

    private func refill() {
        guard !atEOF else { return }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        let data = (try? handle.read(upToCount: chunkSize)) ?? nil
        if let data, !data.isEmpty { buffer.append(contentsOf: data) } else { atEOF = true }
    }

    /// The next record, or nil at the end of the file.
    public func next() -> Record? {
        while true {
            // Skip blank lines between records.
            while position < buffer.count, buffer[position] == 0x0A || buffer[position] == 0x0D {
                if buffer[position] == 0x0A { line += 1 }
                position += 1
            }
            if position == buffer.count {
                if atEOF { return nil }
                refill()
                continue
            }
            switch parseRecord() {
            case .some(let record): return record
            case .none:
                // The record runs past the buffer: read more, unless it is already too long.
                if atEOF {
                    let start = line
                    position = buffer.count
                    return Record(line: start, fields: .failure(CSVProblem(line: start, reason: "a quoted field opened in this record is never closed (a \" missing)")))
                }
                if buffer.count - position > Self.maxRecordBytes {
                    let start = line
                    skipPastRecordAttempt()
                    return Record(line: start, fields: .failure(CSVProblem(line: start, reason: "a record longer than \(Self.maxRecordBytes >> 20) MB: most likely a quote left open; the rest of the file is not read")))
                }
                refill()
            }
        }
    }

    /// After a runaway record nothing after it can be trusted to start a record.
    private func skipPastRecordAttempt() {
        buffer = []
        position = 0
        atEOF = true
    }

    /// Parses one record from `position`; nil when the buffer ends inside it
    /// (position and line unchanged then).
    private func parseRecord() -> Record? {
        let startLine = line
        var lines = 0
        var fields: [String] = []
        var i = position
        let n = buffer.count
        var problem: CSVProblem?
        while true {
            // One field.
            var bytes: [UInt8] = []
            var raw: Range<Int>?
            if i < n, buffer[i] == 0x22 {
                i += 1
                var closed = false
                while i < n {
                    let c = buffer[i]
                    if c == 0x22 {
                        if i + 1 < n, buffer[i + 1] == 0x22 { bytes.append(0x22); i += 2; continue }
                        if i + 1 == n, !atEOF { return nil }  // "" may continue in the next chunk
                        i += 1
                        closed = true
                        break
                    }
                    if c == 0x0A { lines += 1 }
                    bytes.append(c)
                    i += 1
                }
                guard closed else { return nil }
                // Text after the closing quote, up to the delimiter: kept, as spreadsheets do, but noted.
                let afterQuote = i
                while i < n, buffer[i] != delimiter, buffer[i] != 0x0A, buffer[i] != 0x0D { i += 1 }
                if i == n, !atEOF { return nil }
                if i > afterQuote, problem == nil {
                    problem = CSVProblem(line: startLine, reason: "text after a closing quote in field \(fields.count + 1)")
                }
            } else {
                let start = i
                while i < n, buffer[i] != delimiter, buffer[i] != 0x0A, buffer[i] != 0x0D { i += 1 }
                if i == n, !atEOF { return nil }
                raw = start..<i
            }
            let text: String?
            if let raw { text = decode(buffer[raw]) } else { text = decode(bytes[...]) }
            guard let text else {
                problem = problem ?? CSVProblem(line: startLine, reason: "field \(fields.count + 1) is not valid \(encoding == .utf8 ? "UTF-8 (a file in GBK/GB18030? set [source] encoding = \"gb18030\")" : "GB18030")")
                fields.append("")
                if i < n, buffer[i] == delimiter { i += 1; continue }
                break
            }
            fields.append(text)
            if i < n, buffer[i] == delimiter { i += 1; continue }
            break
        }
        // The record's end: CRLF, LF, CR, or the end of the file.
        if i < n, buffer[i] == 0x0D { i += 1 }
        if i < n, buffer[i] == 0x0A { i += 1; lines += 1 } else if i == n, !atEOF { return nil }
        position = i
        line += lines
        return Record(line: startLine, fields: problem.map { .failure($0) } ?? .success(fields))
    }

    private func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        switch encoding {
        case .utf8: return String(validating: bytes, as: UTF8.self)
        case .gb18030:
            if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
            return String(bytes: bytes, encoding: Self.gb18030)
        }
    }

    /// GB18030 as Foundation names it (kCFStringEncodingGB_18030_2000 as an NSStringEncoding).
    public static let gb18030 = String.Encoding(rawValue: 0x8000_0632)
}

/// A CSV file or record that cannot be read, and where.
public struct CSVProblem: Error, Sendable, CustomStringConvertible {
    public let line: Int?
    public let reason: String
    public var description: String { (line.map { "line \($0): " } ?? "") + reason }
}
