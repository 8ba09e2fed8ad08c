import Dispatch
import Foundation
import JSON
import JSONSchema

/// Validates files of records chunk by chunk on all cores, handing verdicts back
/// in file order.
public struct FileValidator: Sendable {
    /// One gate per worker: each thread walks its own compiled copy of the
    /// schemas, as reference counting on shared schema objects would make the
    /// cores contend.
    public let gates: [RecordGate]
    public var workers: Int { gates.count }

    public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount, makeChooser: () throws -> SchemaChooser) rethrows {
        gates = try (0..<max(1, workers)).map { _ in RecordGate(try makeChooser()) }
    }

    public init(chooser: SchemaChooser) {
        gates = [RecordGate(chooser)]
    }

    /// Validates one file. `emit` receives each chunk's verdicts in order.
    /// - Returns: a structural problem of the file (e.g. an unclosed array), if any.
    /// - Throws: when the file cannot be opened or read.
    @discardableResult
    public func validate(path: String, emit: ([RecordVerdict]) -> Void) throws -> FileProblem? {
        let reader = try RecordReader(path: path)
        while let chunk = try reader.next() {
            emit(validate(chunk: chunk, file: path))
        }
        return reader.problem
    }

    /// Validates the records of one chunk, split evenly across the workers.
    public func validate(chunk: RecordChunk, file: String) -> [RecordVerdict] {
        let records = chunk.records
        if records.count < 64 || workers == 1 {
            return chunk.bytes.withUnsafeBufferPointer { b in records.map { verdict(for: $0, in: b, file: file, gate: gates[0]) } }
        }
        let slices = min(workers, records.count)
        let per = (records.count + slices - 1) / slices
        var results = [[RecordVerdict]](repeating: [], count: slices)
        results.withUnsafeMutableBufferPointer { out in
            let out = UncheckedSendable(out)
            chunk.bytes.withUnsafeBufferPointer { b in
                let bytes = UncheckedSendable(b)
                DispatchQueue.concurrentPerform(iterations: slices) { s in
                    let lo = s * per, hi = min(records.count, lo + per)
                    guard lo < hi else { return }
                    // Each worker its own copy of the name, which every verdict holds:
                    // a shared string's reference count would bounce between cores.
                    let name = String(decoding: Array(file.utf8), as: UTF8.self)
                    out.value[s] = records[lo..<hi].map { verdict(for: $0, in: bytes.value, file: name, gate: gates[s]) }
                }
            }
        }
        return results.flatMap { $0 }
    }

    /// Parses and validates one record.
    public func verdict(for r: RawRecord, in buffer: UnsafeBufferPointer<UInt8>, file: String, gate: RecordGate) -> RecordVerdict {
        let text = UnsafeBufferPointer(rebasing: buffer[r.range])
        var v = RecordVerdict(file: file, index: r.index, line: r.line, schemaName: nil, issues: [], issueLines: [], parseError: nil)
        let tape: JSONTape
        do {
            tape = try JSONTape(parsing: text)
        } catch {
            var e = JSONParseError.at(error.offset, in: text, reason: error.reason, firstLine: r.line)
            if e.line == r.line { e.column += r.column - 1 }
            v.parseError = e
            v.issues = [ValidationIssue(instanceLocation: "", keywordLocation: "", message: "not JSON: \(e.reason) (column \(e.column))")]
            v.issueLines = [e.line]
            return v
        }
        // Validated on the tape, every finding (warnings too) for the report.
        let checked = gate.check(tape, detail: .findings)
        v.schemaName = checked.schemaName
        v.issues = checked.issues
        if !v.issues.isEmpty {
            v.issueLines = v.issues.map { issue in
                guard let tokens = JSONPointer.tokens(issue.instanceLocation), !tokens.isEmpty else { return r.line }
                let offset = JSONLocator.offset(of: tokens, in: text)
                var line = r.line
                for i in 0..<offset where text[i] == 0x0A { line += 1 }
                return line
            }
        }
        return v
    }
}

/// Lets a buffer pointer cross into `concurrentPerform`, whose iterations touch disjoint parts.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
