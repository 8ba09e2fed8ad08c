import ArgumentParser
import Foundation
import Standard

/// `hutong reference`: the standard described for the agencies' data people.
struct Reference: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Write the standard's reference in Markdown: record types, fields, rules, code lists.",
        discussion: """
            Read from the schema files themselves: each record type with its fields and their \
            Chinese names, what each field holds, which are required or personal, the rules a \
            record must keep, and every code list. Schemas/README.md is this page.
            """)
    @OptionGroup var schemaOptions: SchemaOptions
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    func run() throws {
        let dir = try schemaOptions.directory()
        let page: String
        do { page = try StandardReference(directory: dir).markdown() } catch {
            throw CommandFailure(code: ExitStatus.usage, message: "cannot read the standard in \(dir.path): \(error)")
        }
        guard let output else { print(page, terminator: ""); return }
        do { try Data(page.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
            throw CommandFailure(code: ExitStatus.usage, message: "cannot write \(output): \(error.localizedDescription)")
        }
    }
}
