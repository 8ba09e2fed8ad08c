import ArgumentParser
import Foundation
import Replication
import Standard
import Store

/// `hutong export`: this node's current versions as NDJSON envelopes, after a
/// batch-header line, in change-log order — for another node's `hutong import`.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write this node's current versions as NDJSON envelopes, in sequence order.",
        discussion: "The first line is a batch header (Schemas/batch-header.json) naming this node, its epoch and the sequence range, so that `hutong import` on another node applies the file exactly as a received batch.")

    @Option(help: "Only records of this type (the receiver then keeps its cursor).") var type: String?
    @Option(help: "Only changes after this sequence of our change log.") var since: Int64 = 0
    @Option(name: .customLong("for-peer"), help: ArgumentHelp("Leave out versions received from this node.", valueName: "node")) var forPeer: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?
    @OptionGroup var node: NodeOptions

    func run() throws {
        let opened = try node.open()
        if let type, opened.catalog.recordTypes[type] == nil {
            throw CommandFailure(code: ExitStatus.usage, message: "unknown --type \"\(type)\"; use one of \(StandardCatalog.recordTypeNames.joined(separator: ", "))")
        }
        // Envelopes go to a scratch file first: the header, which comes first, holds the count.
        let scratch = NSTemporaryDirectory() + "hutong-export-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: scratch, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let body = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch))
        var cursor = since, count = 0
        var buffer: [UInt8] = []
        while true {
            let page = try opened.store.changes(since: cursor, excludingPeer: forPeer, limit: 10_000)
            for v in page.versions where type == nil || v.type == type {
                buffer.append(contentsOf: v.line.utf8)
                buffer.append(0x0A)
                count += 1
            }
            if buffer.count > 1 << 20 { body.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
            if page.lastSequence == cursor { break }
            cursor = page.lastSequence
        }
        body.write(Data(buffer))
        try body.close()
        var header = JSONObject()
        header["protocol"] = 1
        header["batch_id"] = .string(UUID().uuidString.lowercased())
        header["node"] = .string(opened.store.nodeID)
        header["epoch"] = .string(opened.store.epoch)
        header["seq_from"] = .int(since)
        header["seq_to"] = .int(cursor)
        header["count"] = .int(Int64(count))
        header["schema_version"] = .string(opened.catalog.version)
        header["created_at"] = .string(ISO8601DateFormatter().string(from: Date()))
        // Leaving out the receiver's own versions is what a pull does too; a type filter is not.
        if type != nil { header["partial"] = true }
        let out: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                throw CommandFailure(code: ExitStatus.usage, message: "cannot write \(output)")
            }
            out = h
        } else {
            out = FileHandle.standardOutput
        }
        out.write(Data((JSONWriter.string(.object(header)) + "\n").utf8))
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: scratch))
        while let chunk = try input.read(upToCount: 4 << 20), !chunk.isEmpty { out.write(chunk) }
        FileHandle.standardError.write(Data("exported \(count) records of node \(opened.store.nodeID) (sequence \(since)–\(cursor))\(output.map { " to \($0)" } ?? "")\n".utf8))
    }
}
