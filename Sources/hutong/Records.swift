import ArgumentParser
import Foundation
import Standard

/// `hutong records`: look at stored records.
struct Records: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "records", abstract: "Look at stored records.", subcommands: [Get.self, List.self, Delete.self])

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

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Withdraw a record: write a tombstone here that replicates like any change.",
            discussion: """
                For a record that must no longer be published (a penalty's publication withdrawn after \
                信用修复, an entry made in error). The tombstone is a new version written by this node; \
                peers granted the record's type receive it with their next sync. The reason is kept \
                in the audit log (`hutong audit list`). A record captured from an agency table comes \
                back if its row changes again: delete the row there instead.
                """)
        @Argument(help: "The record id.") var id: String
        @Option(help: "Why it is withdrawn (kept in the audit log).") var reason: String
        @OptionGroup var node: NodeOptions

        func run() throws {
            let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reason.isEmpty else { throw CommandFailure(code: ExitStatus.usage, message: "--reason must say why the record is withdrawn") }
            let store = try node.open().store
            guard let current = try store.record(id: id.lowercased()) else {
                throw CommandFailure(code: ExitStatus.dataProblem, message: "no record with id \(id); `hutong records list` shows the ids")
            }
            guard let tombstone = try store.delete(id: current.id, reason: reason) else {
                print("\(current.id) (\(current.type)) was already deleted")
                return
            }
            print("\(tombstone.id) (\(tombstone.type)) withdrawn: version \(tombstone.vv), reason kept in the audit log")
        }
    }
}
