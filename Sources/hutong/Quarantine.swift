import ArgumentParser
import Standard

/// `hutong quarantine`: records that could not be used, with the reason.
struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quarantine", abstract: "Show records kept in quarantine and why.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the latest quarantined records, newest first.")
        @Option(help: "How many.") var limit: Int = 20
        @Flag(help: "Print NDJSON, with each record's text.") var json = false
        @OptionGroup var node: NodeOptions

        func run() throws {
            let entries = try node.open().store.quarantine(limit: limit)
            if entries.isEmpty && !json { print("quarantine is empty") }
            for q in entries {
                if json {
                    Output.json(["id": .int(q.id), "source": .string(q.source), "reason": .string(q.reason), "at": .string(q.at), "text": .string(q.text)])
                } else {
                    print("\(q.id)  \(q.at)  \(q.source)\n    \(q.reason)")
                }
            }
        }
    }
}
