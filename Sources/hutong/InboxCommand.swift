import ArgumentParser
import Capture
import Node

/// `hutong inbox`: take the export files waiting in the configured folders.
struct InboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "Take the files waiting in the node's inboxes ([[inbox]] in hutong.toml), then stop.",
        discussion: """
            Each file (CSV, NDJSON or JSON) that has not changed for settle_seconds, and is not a .part \
            file still being copied, is read through its inbox's mapping, validated and stored; rows that \
            cannot be used go to quarantine. The file then moves to done/ with NAME.report.json beside \
            it, or to rejected/ when it could not be read at all. A file taken again after a stop stores \
            nothing twice. Exit codes: 0 every row was used; 1 some were quarantined or a file rejected; \
            2 a configuration or mapping error.
            """)

    @Option(help: "Rows stored per transaction.") var transactionSize: Int = Intake.defaultTransactionSize
    @OptionGroup var node: NodeOptions

    func run() throws {
        let opened = try node.open()
        if opened.configuration.inboxes.isEmpty {
            throw CommandFailure(code: ExitStatus.usage, message: "\(opened.configuration.file.path) has no [[inbox]]; add one (docs/configuration.md)")
        }
        var problems = false
        let outcomes: [Inbox.Outcome]
        do {
            outcomes = try opened.takeInboxes(transactionSize: transactionSize) { o in
                if let r = o.rejection {
                    print("\(o.file): rejected (\(r)) → \(o.movedTo)")
                } else if let report = o.report {
                    print("\(report) → \(o.movedTo)")
                }
            }
        } catch let e as NodeError { throw CommandFailure(e) }
        for o in outcomes where o.rejection != nil || (o.report?.quarantined ?? 0) > 0 { problems = true }
        if outcomes.isEmpty { print("no files waiting") }
        if problems { throw CommandFailure(code: ExitStatus.dataProblem, message: "") }
    }
}
