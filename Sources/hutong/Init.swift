import ArgumentParser
import Foundation
import Node
import Standard
import Store

/// `hutong init`: a new node: its configuration file and an empty store.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new node: a commented hutong.toml and an empty node store.",
        discussion: "Refuses to touch a directory that already holds a node: node ids are never reused.")

    @Option(name: .customLong("node-id"), help: ArgumentHelp("The node's id (default: node- and random hex). \(NodeID.rule).", valueName: "id"))
    var nodeID: String?

    @Option(help: ArgumentHelp("Directory for hutong.toml and the store.", valueName: "dir"))
    var dir: String = "."

    @OptionGroup var schemaOptions: SchemaOptions

    func validate() throws {
        if let nodeID, !NodeID.isValid(nodeID) { throw ValidationError("--node-id \"\(nodeID)\": \(NodeID.rule)") }
    }

    func run() throws {
        let id = nodeID ?? "node-" + UUID().uuidString.lowercased().prefix(8)
        let fm = FileManager.default
        try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let configPath = (dir as NSString).appendingPathComponent("hutong.toml")
        let storePath = (dir as NSString).appendingPathComponent("hutong.sqlite")
        for p in [configPath, storePath] where fm.fileExists(atPath: p) {
            throw CommandFailure(code: ExitStatus.usage, message: "\(p) already exists: this directory holds a node; a node is never overwritten (use a new directory)")
        }
        let catalog = try schemaOptions.loadCatalog()
        do {
            _ = try SQLiteNodeStore.create(path: storePath, nodeID: id, catalog: catalog)
            try NodeConfiguration.template(nodeID: id).write(toFile: configPath, atomically: true, encoding: .utf8)
        } catch {
            throw CommandFailure(code: ExitStatus.usage, message: "cannot create the node in \(dir): \(error)")
        }
        print("created node \(id): \(configPath), \(storePath)")
    }
}
