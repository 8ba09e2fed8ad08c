import ArgumentParser
import Foundation
import Node
import Standard
import Transport

/// `hutong init`: a new node: its configuration file and an empty store.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new node: a commented hutong.toml and an empty node store.",
        discussion: "Refuses to touch a directory that already holds a node: node ids are never reused.")

    @Option(name: .customLong("node-id"), help: ArgumentHelp("The node's id (default: node- and random hex). \(NodeID.rule).", valueName: "id"))
    var nodeID: String?

    @Option(help: ArgumentHelp("Directory for hutong.toml and the store.", valueName: "dir"))
    var dir: String = "."

    @Option(help: ArgumentHelp("Where the peer API listens.", valueName: "host:port")) var listen = "127.0.0.1:7443"
    @Option(help: ArgumentHelp("This node's TLS certificate (PEM).", valueName: "file")) var tlsCertificate: String?
    @Option(help: ArgumentHelp("Its private key (PEM).", valueName: "file")) var tlsKey: String?
    @Option(help: ArgumentHelp("The CA that signs peers' certificates (PEM).", valueName: "file")) var tlsCa: String?
    @Flag(help: "Serve plain HTTP instead of mutual TLS (loopback tests only).") var plainHttp = false
    @Option(help: ArgumentHelp("Make the store on PostgreSQL instead of a SQLite file (docs/configuration.md).", valueName: "postgres://user@host:port/db"))
    var storeDatabase: String?
    @Option(help: ArgumentHelp("The store database's password: the file's first line (else PGPASSWORD).", valueName: "file"))
    var storePasswordFile: String?

    @OptionGroup var schemaOptions: SchemaOptions

    func validate() throws {
        if let nodeID, !NodeID.isValid(nodeID) { throw ValidationError("--node-id \"\(nodeID)\": \(NodeID.rule)") }
        let tls = [tlsCertificate, tlsKey, tlsCa].compactMap { $0 }
        if !tls.isEmpty && tls.count != 3 { throw ValidationError("give --tls-certificate, --tls-key and --tls-ca together") }
        if storePasswordFile != nil && storeDatabase == nil { throw ValidationError("--store-password-file goes with --store-database") }
    }

    func run() throws {
        let id = nodeID ?? "node-" + UUID().uuidString.lowercased().prefix(8)
        let catalog = try schemaOptions.loadCatalog()
        var tls: PeerServer.TLSFiles?
        if let c = tlsCertificate, let k = tlsKey, let ca = tlsCa {
            func absolute(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.path }
            tls = PeerServer.TLSFiles(certificate: absolute(c), key: absolute(k), ca: absolute(ca))
        }
        let made: CreatedNode
        let passwordFile = storePasswordFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        do {
            made = try Node.create(in: dir, nodeID: id, listen: listen, tls: tls, plainHTTP: plainHttp, database: storeDatabase,
                                   passwordFile: passwordFile, catalog: catalog)
        } catch {
            throw CommandFailure(error)
        }
        print("created node \(id): \(made.configurationPath), \(made.storePath)")
        print("signing key: \(made.signingKeyPath) (public: \(made.publicKey))")
    }
}
