import ArgumentParser
import Foundation
import Node

/// `hutong serve`: the peer API alone.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the peer API: peers pull changes and push batches (mutual TLS).",
        discussion: "Stops on SIGTERM or SIGINT after finishing the requests under way.")
    @OptionGroup var node: NodeOptions
    @Option(help: ArgumentHelp("Listen here instead of [server] listen.", valueName: "host:port")) var listen: String?

    func run() throws {
        let opened = try node.open()
        let server: NodeServer
        do { server = try opened.server(listen: listen) } catch { throw CommandFailure(error) }
        let peers = opened.configuration.peers.map(\.name).joined(separator: ", ")
        let intro = "hutong serve: node \(opened.configuration.nodeID) listening on \(server.host):"
        let after = ", \(server.mode); peers: \(peers.isEmpty ? "none configured" : peers)\n"
        let failure = Blocking.run {
            try await server.run { bound in
                FileHandle.standardOutput.write(Data((intro + "\(bound)" + after).utf8))
            }
        }
        if let failure { throw CommandFailure(code: ExitStatus.usage, message: "cannot serve on \(server.host):\(server.port): \(failure)") }
    }
}
