import ArgumentParser
import Foundation
import Node
import Standard

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
        let report = try opened.export(to: out, type: type, since: since, forPeer: forPeer)
        FileHandle.standardError.write(Data("exported \(report.records) records of node \(opened.configuration.nodeID) (sequence \(report.since)–\(report.reached))\(output.map { " to \($0)" } ?? "")\n".utf8))
    }
}
