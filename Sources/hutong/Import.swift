import ArgumentParser
import Foundation
import Replication
import Standard
import Store

/// `hutong import`: records into this node's store, validated on the way in.
/// Plain standard records are local writes; a file from `hutong export` (it
/// starts with a batch header) is applied exactly as a batch received from the
/// node that wrote it.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import NDJSON records: plain standard records (local writes) or another node's export (remote versions).",
        discussion: """
            Records are validated against the standard; those that fail go to quarantine with the \
            reason, and the rest are stored. Imports run in transactions of --batch records; an \
            interrupted import of an export can simply be repeated (its batches are recognised). \
            Exit codes: 0 every record was used; 1 some were quarantined; 2 unreadable file or usage error.
            """)

    @Argument(help: ArgumentHelp("NDJSON files.", valueName: "file")) var files: [String]
    @Option(help: "Records per transaction.") var batch: Int = 1000
    @OptionGroup var node: NodeOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to import") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let opened = try node.open()
        var anyRejected = false
        for file in files {
            let reader: RecordReader
            do { reader = try RecordReader(path: file) } catch {
                throw CommandFailure(code: ExitStatus.usage, message: "cannot read \(file)")
            }
            var importer = FileImport(file: file, opened: opened, batchSize: batch)
            while let chunk = try reader.next() {
                try chunk.bytes.withUnsafeBufferPointer { b in
                    for r in chunk.records { try importer.add(UnsafeBufferPointer(rebasing: b[r.range]), line: r.line) }
                }
            }
            try importer.finish()
            print(importer.summary)
            if importer.rejectedCount > 0 { anyRejected = true }
        }
        if anyRejected { throw CommandFailure(code: ExitStatus.dataProblem, message: "") }
    }
}

/// One file being imported: decides its kind from the first line, validates,
/// and hands the store batches.
struct FileImport {
    let file: String
    let opened: NodeOptions.Opened
    let batchSize: Int
    let chooser: SchemaChooser

    /// Set when the file is an export: its header, and its end line once read.
    var header: JSONObject?
    var end: JSONObject?
    var sawFirst = false
    var plain: [(type: String, body: JSONValue)] = []
    var versions: [Envelope] = []
    var rejected: [IncomingBatch.Rejected] = []
    var chunkIndex = 0
    var counts: [String: Int] = [:]
    var rejectedCount = 0

    init(file: String, opened: NodeOptions.Opened, batchSize: Int) {
        self.file = file
        self.opened = opened
        self.batchSize = batchSize
        chooser = SchemaChooser(.byRecord(opened.catalog))
    }

    mutating func add(_ text: UnsafeBufferPointer<UInt8>, line: Int) throws {
        // The text is kept only for what goes to quarantine.
        var raw: String { String(decoding: text, as: UTF8.self) }
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            try reject(raw, "\(file):\(line): not JSON: \(error.reason)")
            return
        }
        if !sawFirst {
            sawFirst = true
            if case .object(let o) = value, o["batch_id"] != nil, o["protocol"] != nil {
                let issues = opened.catalog.schema(named: "batch-header")!.validate(value).filter { $0.severity == .error }
                guard issues.isEmpty else {
                    throw CommandFailure(code: ExitStatus.dataProblem, message: "\(file):\(line): the batch header is not valid: " + issues.map { "\($0.instanceLocation) \($0.message)" }.joined(separator: "; "))
                }
                header = o
                return
            }
        }
        switch chooser.choose(for: value) {
        case .failure(let issue):
            try reject(raw, "\(file):\(line): \(issue.message)")
        case .success(let (schema, name)):
            let errors = schema.validate(value).filter { $0.severity == .error }
            if !errors.isEmpty {
                try reject(raw, "\(file):\(line): " + errors.map { "\($0.instanceLocation): \($0.message)" }.joined(separator: "; "))
                return
            }
            if header != nil {
                if name == "batch-end", case .object(let o) = value, end == nil {
                    end = o
                    return
                }
                guard end == nil else {
                    try reject(raw, "\(file):\(line): a line after the export's end line; the file was altered")
                    return
                }
                guard name == "envelope", var e = try? Envelope(json: value) else {
                    try reject(raw, "\(file):\(line): an export file holds envelopes after its header, not \(name) records")
                    return
                }
                guard e.verifyHash() else {
                    try reject(raw, "\(file):\(line): record \(e.id): its hash does not match its body (changed after export?); ask \(e.writer) for a fresh export")
                    return
                }
                versions.append(e)
            } else {
                guard StandardCatalog.recordTypeNames.contains(name) else {
                    try reject(raw, "\(file):\(line): \(name == "envelope" ? "an envelope" : "a \(name) line") without the exporting node's batch header first; import the whole file written by `hutong export`")
                    return
                }
                plain.append((name, value))
            }
            if versions.count + plain.count + rejected.count >= batchSize { try flush(final: false) }
        }
    }

    private mutating func reject(_ text: String, _ reason: String) throws {
        rejectedCount += 1
        if header != nil {
            rejected.append(.init(text: text, reason: reason))
            if versions.count + rejected.count >= batchSize { try flush(final: false) }
        } else {
            try opened.store.quarantine(source: "import \(file)", text: text, reason: reason)
        }
    }

    mutating func finish() throws { try flush(final: true) }

    private mutating func flush(final: Bool) throws {
        if let h = header, let node = h["node"]?.stringValue, let batchID = h["batch_id"]?.stringValue {
            guard !versions.isEmpty || !rejected.isEmpty || final else { return }
            // The cursor moves only with the last batch of a whole export: never
            // for a partial one, nor for a file cut short (no end line).
            let cursor: PeerCursor? = final && end != nil && end?["partial"] != true
                ? PeerCursor(peer: node, direction: .pull, epoch: h["epoch"]?.stringValue ?? "", sequence: end?["seq_to"]?.intValue ?? 0) : nil
            let result = try opened.store.apply(IncomingBatch(peer: node, batchID: "\(batchID)#\(chunkIndex)", versions: versions, rejected: rejected, cursor: cursor))
            chunkIndex += 1
            for o in result.outcomes where o != .rejected { counts[result.repeated ? "already imported" : o.rawValue, default: 0] += 1 }
            versions.removeAll(keepingCapacity: true)
            rejected.removeAll(keepingCapacity: true)
        } else if !plain.isEmpty {
            let written = try opened.store.write(plain)
            for w in written { counts[w == nil ? "unchanged" : "written", default: 0] += 1 }
            plain.removeAll(keepingCapacity: true)
        }
    }

    var summary: String {
        let kind = header.map { "export of node \($0["node"]?.stringValue ?? "?")" } ?? "records"
        var parts = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }
        if rejectedCount > 0 { parts.append("\(rejectedCount) quarantined (see `hutong quarantine list`)") }
        if header != nil && end == nil {
            parts.append("no end line: the file was cut short; the records in it were imported, and importing the whole file later completes it")
        }
        return "\(file) (\(kind)): " + (parts.isEmpty ? "nothing to import" : parts.joined(separator: ", "))
    }
}
