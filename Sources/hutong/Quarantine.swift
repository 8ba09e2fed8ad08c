import ArgumentParser
import JSON
import Node
import Standard

/// `hutong quarantine`: records and rows that could not be used, with the reason.
struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quarantine", abstract: "Show what is kept in quarantine and why; retry rows after their mapping is fixed.",
                                                    subcommands: [List.self, Retry.self])

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
                    var o = JSONObject(["id": .int(q.id), "source": .string(q.source), "reason": .string(q.reason), "at": .string(q.at), "text": .string(q.text)])
                    if let m = q.mapping { o["mapping"] = .string(m) }
                    if q.attempts > 1 { o["attempts"] = .int(Int64(q.attempts)) }
                    Output.json(.object(o))
                } else {
                    print("\(q.id)  \(q.at)  \(q.source)\(q.attempts > 1 ? "  (tried \(q.attempts) times)" : "")\n    \(q.reason)")
                }
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Map quarantined rows again through their mapping as it is now.",
            discussion: """
                For rows that a mapping could not use (`hutong import --mapping`): after the mapping \
                (or its code tables) is fixed, each row is mapped and validated again; those that now \
                make a valid record are stored and leave quarantine, the rest stay with their new reason. \
                Exit codes: 0 no row is left in quarantine; 1 some still are; 2 a mapping cannot be read.
                """)
        @Option(help: ArgumentHelp("Only the rows of this mapping file.", valueName: "mapping")) var mapping: String?
        @OptionGroup var node: NodeOptions

        func run() throws {
            let opened = try node.open()
            let result: QuarantineRetry
            do { result = try opened.retryQuarantine(mappingFile: mapping) } catch let e as NodeError { throw CommandFailure(e) }
            print(result)
            for (reason, n) in result.reasons.sorted(by: { $0.value > $1.value }) { print("  \(n) × \(reason)") }
            if result.stillQuarantined > 0 { throw CommandFailure(code: ExitStatus.dataProblem, message: "") }
        }
    }
}
