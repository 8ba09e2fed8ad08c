import Foundation
import JSON
import Standard

/// An agency's export file as rows: CSV (its header names the columns), or
/// NDJSON / a JSON array of objects (each member a column). Read a piece at a
/// time; a row that cannot be read is reported with its line and the rest go on.
public final class RowFile: RowReader {
    public enum Format: String, Sendable { case csv, ndjson, json }

    public let path: String
    public let format: Format
    private var csv: CSVReader?
    private var columns: SourceColumns?
    private var json: RecordReader?
    private var pending: [RowItem] = []
    private var taken = 0

    /// - Throws: `CSVProblem` for a file that cannot be opened or has no header.
    public init(path: String, options: Mapping.SourceOptions = .init()) throws(CSVProblem) {
        self.path = path
        let ext = (path as NSString).pathExtension.lowercased()
        format = options.format.flatMap(Format.init(rawValue:)) ?? (ext == "ndjson" || ext == "jsonl" ? .ndjson : ext == "json" ? .json : .csv)
        switch format {
        case .csv:
            let reader = try CSVReader(path: path, encoding: options.encoding, delimiter: options.delimiter)
            csv = reader
            columns = SourceColumns(reader.header)
        case .ndjson, .json:
            do { json = try RecordReader(path: path) } catch { throw CSVProblem(line: nil, reason: "cannot open \(path)") }
        }
    }

    /// The header's columns (CSV); nil for JSON, whose rows name their own.
    public var header: [String]? { columns?.names }

    public var origin: String { path }

    /// The encoding a CSV file is read in.
    public var encoding: TextEncoding? { csv?.encoding }

    /// `="0123"`, which exports made for Excel write so that it keeps a
    /// value's leading zeros (and its 18 digits), is the text `0123`.
    static func unwrapExcelText(_ field: String) -> String {
        guard field.utf8.count >= 3, field.utf8.starts(with: [UInt8(ascii: "="), UInt8(ascii: "\"")]), field.utf8.last == UInt8(ascii: "\"") else { return field }
        let inner = field.utf8.dropFirst(2).dropLast()
        // Quotes inside are doubled, as in the formula.
        return String(decoding: inner, as: UTF8.self).replacingOccurrences(of: "\"\"", with: "\"")
    }

    public func next() throws -> RowItem? {
        if let csv, let columns {
            guard let record = csv.next() else { return nil }
            switch record.fields {
            case .failure(let p):
                return RowItem(location: String(record.line), row: .failure(RowProblem(text: "", reason: p.reason)))
            case .success(let fields):
                guard fields.count == columns.names.count else {
                    return RowItem(location: String(record.line), row: .failure(RowProblem(
                        text: fields.joined(separator: ","), reason: "the row has \(fields.count) fields, the header \(columns.names.count) (a delimiter inside an unquoted value?)")))
                }
                return RowItem(location: String(record.line), row: .success(SourceRow(columns: columns, values: fields.map { .text(Self.unwrapExcelText($0)) }, origin: path, location: String(record.line))))
            }
        }
        while taken == pending.count {
            pending.removeAll(keepingCapacity: true)
            taken = 0
            guard let reader = json, let chunk = try reader.next() else {
                if let p = json?.problem {
                    json = nil
                    return RowItem(location: String(p.line), row: .failure(RowProblem(text: "", reason: p.message)))
                }
                return nil
            }
            for r in chunk.records {
                let bytes = chunk.bytes[r.range]
                let text = String(decoding: bytes, as: UTF8.self)
                let value: JSONValue
                do { value = try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) in try JSONParser.parse(b) } } catch {
                    pending.append(RowItem(location: String(r.line), row: .failure(RowProblem(text: text, reason: "not JSON: \(error.reason)"))))
                    continue
                }
                guard let row = SourceRow(json: value, origin: path, location: String(r.line)) else {
                    pending.append(RowItem(location: String(r.line), row: .failure(RowProblem(text: text, reason: "a row must be a JSON object of column → value"))))
                    continue
                }
                pending.append(RowItem(location: String(r.line), row: .success(row)))
            }
        }
        taken += 1
        return pending[taken - 1]
    }
}
