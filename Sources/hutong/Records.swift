import ArgumentParser
import Standard

/// `hutong records`: look at stored records.
struct Records: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "records", abstract: "Look at stored records.", subcommands: [Get.self, List.self])

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Print one record's current envelope as JSON.")
        @Argument(help: "The record id.") var id: String
        @OptionGroup var node: NodeOptions

        func run() throws {
            guard let e = try node.open().store.record(id: id.lowercased()) else {
                throw CommandFailure(code: ExitStatus.dataProblem, message: "no record with id \(id)")
            }
            Output.json(e.json)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List records, by id.")
        @Option(help: "Only this record type.") var type: String?
        @Option(help: "At most this many.") var limit: Int = 100
        @Flag(help: "Print envelopes as NDJSON.") var json = false
        @OptionGroup var node: NodeOptions

        func run() throws {
            let opened = try node.open()
            if let type, opened.catalog.recordTypes[type] == nil {
                throw CommandFailure(code: ExitStatus.usage, message: "unknown --type \"\(type)\"; use one of \(StandardCatalog.recordTypeNames.joined(separator: ", "))")
            }
            for e in try opened.store.records(type: type, after: nil, limit: limit) {
                if json { Output.json(e.json); continue }
                print("\(e.id)  \(e.type)  \(e.deleted ? "deleted" : "")\(e.vv)  by \(e.writer)  \(e.hlc)\(e.conflicts.isEmpty ? "" : "  awaiting review")")
            }
        }
    }
}
