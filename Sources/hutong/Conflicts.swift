import ArgumentParser
import Foundation
import Node
import Standard
import JSON

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
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Settle a conflict: keep the local or the remote version, or a corrected record from FILE.",
            discussion: "The choice is written as a new local version that dominates both, and replicates to every peer.")
        @Argument(help: "The conflict id.") var id: Int64
        @Option(help: ArgumentHelp("local, remote, or a JSON file holding the corrected record.", valueName: "local|remote|FILE")) var keep: String
        @OptionGroup var node: NodeOptions

        func run() throws {
            let opened = try node.open()
            let choice: ConflictChoice
            switch keep {
            case "local": choice = .local
            case "remote": choice = .remote
            default:
                guard let data = FileManager.default.contents(atPath: keep) else {
                    throw CommandFailure(code: ExitStatus.usage, message: "--keep: cannot read \(keep) (expected local, remote or a JSON file)")
                }
                do { choice = .record(try JSONParser.parse(Array(data)), from: keep) } catch {
                    throw CommandFailure(code: ExitStatus.dataProblem, message: "\(keep):\(error.line):\(error.column): not JSON: \(error.reason)")
                }
            }
            do {
                let e = try opened.resolveConflict(id, keeping: choice)
                print("resolved conflict \(id): record \(e.id) is now version \(e.vv) by \(e.writer); it replicates to every peer")
            } catch let e as NodeError {
                throw CommandFailure(e)
            }
        }
    }
}
