import ArgumentParser
import Foundation
import Standard
import JSONSchema

/// `hutong validate`: check data files against the standard, like a compiler checks code.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check records against the unified enforcement data standard.",
        discussion: """
            PATH may be a .json file (one record, or an array of records), an .ndjson or \
            .jsonl file (one record per line), or a directory, searched recursively for those. \
            Each record is checked against the type given by --type, its own "type" field, \
            or its "$schema"; an exported envelope (with "vv" and "body") against the envelope.

            Text output lists each finding as FILE:LINE: /pointer: message, then a summary. \
            JSON output prints one verdict per record per line, then a summary line.

            Exit codes: 0 every record is valid; 1 some record is invalid or a file is not \
            JSON (the other files are still checked); 2 usage error or unreadable path.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: ArgumentHelp("Check every record as this type: \((StandardCatalog.recordTypeNames + StandardCatalog.otherSchemaNames).joined(separator: ", ")).", valueName: "type"))
    var type: String?

    @Option(help: ArgumentHelp("Check every record against this JSON Schema (draft 2020-12) file instead; it may $ref the standard's files. As the specification says, \"format\" is only an annotation there unless the schema's metaschema asserts formats (the standard's does) or --assert-formats is given.", valueName: "file"))
    var schema: String?

    @Flag(help: "With --schema: check \"format\" (date, email, uri, uscc, …) as an assertion.")
    var assertFormats = false

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Flag(help: "Treat warnings (e.g. a 统一社会信用代码 that fails its check character) as errors.")
    var strict = false

    @Flag(help: "Text output: also show the schema keyword that failed.")
    var verbose = false

    @Flag(help: "Text output: print only the summary.")
    var quiet = false

    @Option(help: ArgumentHelp("Validating threads (default: all cores).", valueName: "n"))
    var jobs: Int?

    @OptionGroup var schemaOptions: SchemaOptions

    @Argument(help: ArgumentHelp("Files or directories to check.", valueName: "path"))
    var paths: [String]

    func validate() throws {
        if type != nil && schema != nil { throw ValidationError("use either --type or --schema, not both") }
        if assertFormats && schema == nil { throw ValidationError("--assert-formats applies to --schema; the standard's own schemas always check their formats") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if paths.isEmpty { throw ValidationError("name at least one file or directory to check") }
    }

    func run() throws {
        let validator = try FileValidator(workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount) { try makeChooser() }
        var report = ValidationReport(format: format, strict: strict, verbose: verbose, quiet: quiet)
        let (files, unreadable) = InputFiles.expand(paths)
        for problem in unreadable { report.unreadable(problem) }
        for file in files {
            do {
                report.startFile()
                if let problem = try validator.validate(path: file, emit: { report.add($0) }) {
                    report.fileProblem(file: file, problem)
                }
            } catch {
                report.unreadable("cannot read \(file): \(InputFiles.reason(error))")
            }
        }
        report.finish()
        if report.exitCode != ExitStatus.ok { throw CommandFailure(code: report.exitCode, message: "") }
    }

    private func makeChooser() throws -> SchemaChooser {
        if let schema {
            let url = URL(fileURLWithPath: schema)
            let registry = SchemaRegistry()
            if let dir = try? schemaOptions.directory() {
                do { try StandardCatalog.load(directory: dir, into: registry) } catch {
                    throw CommandFailure(code: ExitStatus.usage, message: "cannot load the standard from \(dir.path): \(error)")
                }
            }
            do {
                try StandardCatalog.addSchemaFile(url, to: registry)
                let compiled = try JSONSchema(uri: url.absoluteURL.standardizedFileURL.absoluteString, registry: registry,
                                              options: .standard(assertFormats: assertFormats))
                return SchemaChooser(.fixed(compiled, name: url.lastPathComponent))
            } catch {
                throw CommandFailure(code: ExitStatus.usage, message: "--schema \(schema): \(error)")
            }
        }
        let catalog = try schemaOptions.loadCatalog()
        if let type {
            guard let s = catalog.schema(named: type) else {
                throw CommandFailure(code: ExitStatus.usage, message: "unknown --type \"\(type)\"; use one of \(catalog.schemaNames.joined(separator: ", "))")
            }
            return SchemaChooser(.fixed(s, name: type))
        }
        return SchemaChooser(.byRecord(catalog))
    }
}
