import ArgumentParser
import Foundation
import Node
import Standard
import Store

/// The node a command works on: its configuration file, the standard, the store.
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The node's configuration (default: HUTONG_CONFIG, ./hutong.toml, /etc/hutong/hutong.toml).", valueName: "file"))
    var config: String?

    @OptionGroup var schemaOptions: SchemaOptions

    struct Opened {
        let config: NodeConfiguration
        let catalog: StandardCatalog
        let store: SQLiteNodeStore
    }

    func open() throws -> Opened {
        let config: NodeConfiguration
        do { config = try NodeConfiguration.load(path: self.config ?? NodeConfiguration.defaultPath()) } catch {
            throw CommandFailure(code: ExitStatus.usage, message: "\(error)")
        }
        let catalog = try schemaOptions.loadCatalog()
        do {
            let store = try SQLiteNodeStore.open(path: config.storePath, catalog: catalog, maxSkewMillis: UInt64(config.maxClockSkewSeconds) * 1000)
            guard store.nodeID == config.nodeID else {
                throw CommandFailure(code: ExitStatus.usage, message: "\(config.storePath) belongs to node \(store.nodeID), but \(config.file.path) says \(config.nodeID); a store is never reassigned")
            }
            return Opened(config: config, catalog: catalog, store: store)
        } catch let e as CommandFailure {
            throw e
        } catch {
            throw CommandFailure(code: ExitStatus.usage, message: "cannot open the node store: \(error)")
        }
    }
}

/// Prints JSON values one per line, or text lines.
enum Output {
    static func json(_ v: JSONValue) { print(JSONWriter.string(v)) }
}
