import ArgumentParser
import Capture
import Foundation
import Node

/// `hutong import`: files into this node's store through the node's intake
/// (`Capture/Intake.swift`).
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import records: standard records, another node's export, or an agency's own file through a mapping.",
        discussion: """
            Without --mapping, files hold NDJSON standard records (local writes) or another node's \
            export (its versions). With --mapping, each row of a CSV, NDJSON or JSON file is mapped to a \
            standard record (`hutong map preview` shows how first). Records are validated against the \
            standard; those that fail go to quarantine with their place and the reason, and the rest are stored. Imports run in transactions of --transaction-size records; an \
            interrupted import of an export can simply be repeated (its batches are recognised). \
            Exit codes: 0 every record was used; 1 some were quarantined; 2 unreadable file or usage error.
            """)

    @Argument(help: ArgumentHelp("Files to import.", valueName: "file")) var files: [String]
    @Option(help: ArgumentHelp("A mapping file (TOML) the files' rows are read through.", valueName: "mapping")) var mapping: String?
    @Option(help: ArgumentHelp("With --mapping: the files are SQLite databases; read this table of each (read-only).", valueName: "table")) var table: String?
    @Option(help: "Records stored per transaction.") var transactionSize: Int = Intake.defaultTransactionSize
    @OptionGroup var node: NodeOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to import") }
        if transactionSize < 1 { throw ValidationError("--transaction-size must be at least 1") }
        if table != nil && mapping == nil { throw ValidationError("--table needs --mapping: a table's rows are read through a mapping") }
    }

    func run() throws {
        let opened = try node.open()
        let rowMapping = try mapping.map { try loadMapping($0, node.schemaOptions) }
        var anyQuarantined = false
        for file in files {
            let report: IntakeReport
            do {
                if let rowMapping, let table {
                    report = try opened.importTable(table, of: file, mapping: rowMapping, transactionSize: transactionSize)
                } else if let rowMapping {
                    report = try opened.importFile(file, mapping: rowMapping, transactionSize: transactionSize)
                } else {
                    report = try opened.importFile(file, transactionSize: transactionSize)
                }
            } catch let e as IntakeError {
                switch e {
                case .unreadable, .missingColumns: throw CommandFailure(code: ExitStatus.usage, message: e.description)
                default: break
                }
                throw CommandFailure(code: ExitStatus.dataProblem, message: e.description)
            }
            print(report)
            if report.quarantined > 0 { anyQuarantined = true }
        }
        if anyQuarantined { throw CommandFailure(code: ExitStatus.dataProblem, message: "") }
    }
}
