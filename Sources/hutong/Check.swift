import ArgumentParser
import Node

/// `hutong check`: the node store's integrity, for operators.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the node store: every record's hash, body, vector and clock, the open conflicts, the audit chain.",
        discussion: """
            Reads the whole store and changes nothing. Every problem is a line naming the record, \
            conflict or audit entry. Exit codes: 0 intact; 1 at least one problem; 2 usage error.
            """)
    @OptionGroup var node: NodeOptions
    @Option(help: "List at most this many problems (all are counted).") var limit = 100

    func run() throws {
        let opened = try node.open()
        let r = try IntegrityCheck(store: opened.store, catalog: opened.catalog).run()
        for p in r.problems.prefix(limit) { print(p) }
        if r.problems.count > limit { print("… and \(r.problems.count - limit) more") }
        let summary = "\(r.records) records (\(r.tombstones) tombstones, \(r.masked) masked copies), \(r.awaitingReview) awaiting review, \(r.auditEntries) audit entries"
        guard r.intact else {
            throw CommandFailure(code: ExitStatus.dataProblem, message: "\(r.problems.count) problem\(r.problems.count == 1 ? "" : "s") in \(summary)")
        }
        print("intact: \(summary)")
    }
}
