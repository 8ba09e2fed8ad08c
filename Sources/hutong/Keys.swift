import ArgumentParser
import Foundation
import Node
import Transport

/// `hutong keys`: the node's Ed25519 signing key.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make or show this node's batch-signing key.",
        subcommands: [Generate.self, Show.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "generate", abstract: "Make the node's Ed25519 signing key (refuses to replace one).")
        @OptionGroup var node: ConfigOptions

        func run() throws {
            let config = try node.load()
            let key = NodeKey.generate()
            do { try key.write(to: config.signingKeyPath) } catch {
                throw CommandFailure(code: ExitStatus.usage, message: "\(error)")
            }
            print("wrote \(config.signingKeyPath) (mode 600)")
            print("public key: \(key.publicKeyBase64)")
            print("peers add this node with: --signing-key \(key.publicKeyBase64)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the public signing key and the TLS pin peers configure for this node.")
        @OptionGroup var node: ConfigOptions

        func run() throws {
            let config = try node.load()
            let key: NodeKey
            do { key = try NodeKey.read(from: config.signingKeyPath) } catch {
                throw CommandFailure(code: ExitStatus.usage, message: "\(error)")
            }
            print("node:        \(config.nodeID)")
            print("signing key: \(key.publicKeyBase64)")
            if let tls = config.tls {
                do { print("TLS pin:     \(try TLSPin.ofCertificate(file: tls.certificate))") } catch {
                    throw CommandFailure(code: ExitStatus.usage, message: "\(tls.certificate): \(error)")
                }
            } else {
                print("TLS pin:     (no [tls] configured)")
            }
        }
    }
}

/// Commands that need the configuration but not the store.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The node's configuration (default: HUTONG_CONFIG, ./hutong.toml, /etc/hutong/hutong.toml).", valueName: "file"))
    var config: String?

    func load() throws -> NodeConfiguration {
        do { return try NodeConfiguration.load(path: config ?? NodeConfiguration.defaultPath()) } catch {
            throw CommandFailure(code: ExitStatus.usage, message: "\(error)")
        }
    }
}
