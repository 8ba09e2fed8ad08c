import ArgumentParser
import Foundation
import Replication
import Standard
import Store
import Transport

/// `hutong export`: this node's current versions as an unsigned batch (header
/// line, envelopes in change-log order, end line) — for another node's `hutong import`.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write this node's current versions as NDJSON envelopes, in sequence order.",
        discussion: "The file is a batch as nodes exchange them, unsigned: a header line (Schemas/batch-header.json) naming this node, its epoch and where the range starts, the envelopes, and an end line (Schemas/batch-end.json) with the count and where the range ends, so that `hutong import` on another node applies the file exactly as a received batch.")

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
        let out: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                throw CommandFailure(code: ExitStatus.usage, message: "cannot write \(output)")
            }
            out = h
        } else {
            out = FileHandle.standardOutput
        }
        // The batch format of the peer API, unsigned: header, envelopes, end line.
        let writer = BatchWriter(header: BatchHeader(node: opened.store.nodeID, epoch: opened.store.epoch, seqFrom: since,
                                                     schemaVersion: opened.catalog.version), key: nil)
        var buffer = writer.headerLine
        var cursor = since
        while true {
            let page = try opened.store.changes(since: cursor, excludingPeer: forPeer, limit: 10_000, bodies: false)
            for v in page.versions where type == nil || v.type == type { writer.append(v, to: &buffer) }
            if buffer.count > 1 << 20 { out.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
            if page.lastSequence == cursor { break }
            cursor = page.lastSequence
        }
        // Leaving out the receiver's own versions is what a pull does too; a type filter is not.
        buffer += try writer.end(seqTo: cursor, partial: type != nil)
        out.write(Data(buffer))
        let count = writer.count
        FileHandle.standardError.write(Data("exported \(count) records of node \(opened.store.nodeID) (sequence \(since)–\(cursor))\(output.map { " to \($0)" } ?? "")\n".utf8))
    }
}
