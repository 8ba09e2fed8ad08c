import ArgumentParser
import Capture
import Foundation
import Node

/// `hutong import`: files into this node's store through the node's intake
/// (`Capture/Intake.swift`).
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import NDJSON records: plain standard records (local writes) or another node's export (remote versions).",
        discussion: """
            Records are validated against the standard; those that fail go to quarantine with the \
            reason, and the rest are stored. Imports run in transactions of --transaction-size records; an \
            interrupted import of an export can simply be repeated (its batches are recognised). \
            Exit codes: 0 every record was used; 1 some were quarantined; 2 unreadable file or usage error.
            """)

    @Argument(help: ArgumentHelp("NDJSON files.", valueName: "file")) var files: [String]
    @Option(help: "Records stored per transaction.") var transactionSize: Int = 1000
    @OptionGroup var node: NodeOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to import") }
        if transactionSize < 1 { throw ValidationError("--transaction-size must be at least 1") }
    }

    func run() throws {
        let opened = try node.open()
        var anyQuarantined = false
        for file in files {
            let report: IntakeReport
            do { report = try opened.importFile(file, transactionSize: transactionSize) } catch let e as IntakeError {
                if case .unreadable = e { throw CommandFailure(code: ExitStatus.usage, message: e.description) }
                throw CommandFailure(code: ExitStatus.dataProblem, message: e.description)
            }
            print(report)
            if report.quarantined > 0 { anyQuarantined = true }
        }
        if anyQuarantined { throw CommandFailure(code: ExitStatus.dataProblem, message: "") }
    }
}
