import ArgumentParser
import Foundation
import Replication
import Standard
import Store

/// `hutong conflicts`: versions that lost to a concurrent one, and the review
/// of records under the manual policy.
struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conflicts", abstract: "List, show and resolve conflicts.", subcommands: [List.self, Show.self, Resolve.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List open conflicts (with --all, settled ones too).")
        @Flag(help: "Include conflicts already settled by policy or by an operator.") var all = false
        @Flag(help: "Print NDJSON.") var json = false
        @OptionGroup var node: NodeOptions

        func run() throws {
            let list = try node.open().store.conflicts(openOnly: !all)
            if list.isEmpty && !json { print(all ? "no conflicts" : "no open conflicts"); return }
            for c in list {
                if json {
                    Output.json(["id": .int(c.id), "record": .string(c.recordID), "type": .string(c.type), "policy": .string(c.policy),
                                 "kept": c.winner.json, "other": c.loser.json, "detected_at": .string(c.detectedAt),
                                 "resolved_at": c.resolvedAt.map { .string($0) } ?? .null])
                } else {
                    let state = c.resolvedAt.map { "settled \($0)" } ?? "OPEN"
                    print("\(c.id)  \(c.type) \(c.recordID)  \(c.policy)  kept \(c.winner.writer) \(c.winner.hlc), other \(c.loser.writer) \(c.loser.hlc)  \(state)")
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show both versions of a conflict and the fields where they differ.")
        @Argument(help: "The conflict id.") var id: Int64
        @OptionGroup var node: NodeOptions

        func run() throws {
            guard let c = try node.open().store.conflict(id: id) else {
                throw CommandFailure(code: ExitStatus.usage, message: "no conflict \(id); see `hutong conflicts list`")
            }
            print("conflict \(c.id): \(c.type) \(c.recordID), policy \(c.policy), \(c.resolvedAt.map { "settled \($0)" } ?? "open")")
            print("kept (stored here, --keep local): written by \(c.winner.writer) at \(c.winner.hlc), version \(c.winner.vv)\(c.winner.deleted ? ", a deletion" : "")")
            print("other (lost, --keep remote):      written by \(c.loser.writer) at \(c.loser.hlc), version \(c.loser.vv)\(c.loser.deleted ? ", a deletion" : "")")
            let a = c.winner.body.objectValue ?? JSONObject(), b = c.loser.body.objectValue ?? JSONObject()
            for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
                print("  \(key):")
                print("    kept:  \(a[key].map { JSONWriter.string($0) } ?? "(absent)")")
                print("    other: \(b[key].map { JSONWriter.string($0) } ?? "(absent)")")
            }
        }
    }

    struct Resolve: ParsableCommand {
        /// A masked copy's text is not the record: kept, it would replace the
        /// real names and numbers everywhere with their masks.
        static func refuseMasked(_ e: Envelope, _ side: String) throws {
            guard !e.masked.isEmpty, !e.deleted else { return }
            throw CommandFailure(code: ExitStatus.dataProblem, message: "the \(side) version of record \(e.id) is a masked copy (\(e.masked.joined(separator: ", ")) masked: this node has no personal-information grant from its writer); keep the other version, or give the corrected record as --keep FILE")
        }

        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Settle a conflict: keep the local or the remote version, or a corrected record from FILE.",
            discussion: "The choice is written as a new local version that dominates both, and replicates to every peer.")
        @Argument(help: "The conflict id.") var id: Int64
        @Option(help: ArgumentHelp("local, remote, or a JSON file holding the corrected record.", valueName: "local|remote|FILE")) var keep: String
        @OptionGroup var node: NodeOptions

        func run() throws {
            let opened = try node.open()
            guard let c = try opened.store.conflict(id: id) else {
                throw CommandFailure(code: ExitStatus.usage, message: "no conflict \(id); see `hutong conflicts list`")
            }
            var body: JSONValue
            var deleted = false
            switch keep {
            case "local":
                guard let current = try opened.store.record(id: c.recordID) else { throw CommandFailure(code: ExitStatus.dataProblem, message: "record \(c.recordID) is gone") }
                try Self.refuseMasked(current, "local")
                body = current.body; deleted = current.deleted
            case "remote":
                try Self.refuseMasked(c.loser, "remote")
                body = c.loser.body; deleted = c.loser.deleted
            default:
                guard let data = FileManager.default.contents(atPath: keep) else {
                    throw CommandFailure(code: ExitStatus.usage, message: "--keep: cannot read \(keep) (expected local, remote or a JSON file)")
                }
                do { body = try JSONParser.parse(Array(data)) } catch {
                    throw CommandFailure(code: ExitStatus.dataProblem, message: "\(keep):\(error.line):\(error.column): not JSON: \(error.reason)")
                }
                let issues = opened.catalog.schema(named: c.type)!.validate(body).filter { $0.severity == .error }
                if !issues.isEmpty {
                    throw CommandFailure(code: ExitStatus.dataProblem, message: "\(keep) is not a valid \(c.type):\n" + issues.map { "  \($0.instanceLocation): \($0.message)" }.joined(separator: "\n"))
                }
            }
            do {
                let e = try opened.store.resolveConflict(id: id, body: body, deleted: deleted)
                print("resolved conflict \(id): record \(e.id) is now version \(e.vv) by \(e.writer); it replicates to every peer")
            } catch let e as StoreError {
                throw CommandFailure(code: ExitStatus.dataProblem, message: e.description)
            }
        }
    }
}
