import ArgumentParser
import Foundation
import Node
import Standard

/// The node a command works on: its configuration file and the standard.
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The node's configuration (default: HUTONG_CONFIG, ./hutong.toml, /etc/hutong/hutong.toml).", valueName: "file"))
    var config: String?

    @OptionGroup var schemaOptions: SchemaOptions

    /// The node, or a usage failure (exit 2) that says what is wrong.
    func open() throws -> Node {
        let schemas = try schemaOptions.directory()
        do { return try Node.open(configurationPath: config, schemas: schemas) } catch {
            throw CommandFailure(code: ExitStatus.usage, message: error.description)
        }
    }
}

extension CommandFailure {
    /// A node's refusal: exit 2 for what was asked, 1 for the data it met.
    init(_ error: NodeError) {
        self.init(code: error.kind == .data ? ExitStatus.dataProblem : ExitStatus.usage, message: error.description)
    }
}
