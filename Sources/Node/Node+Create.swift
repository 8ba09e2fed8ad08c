import Foundation
import Postgres
import Standard
import Store
import Transport

/// What `Node.create` made.
public struct CreatedNode: Sendable {
    public let configurationPath: String
    /// The store's file, or its database (without a password).
    public let storePath: String
    public let signingKeyPath: String
    public let publicKey: String
}

extension Node {
    /// Makes a new node in `directory`: a commented `hutong.toml`, an empty
    /// store and a signing key. Refuses a directory that already holds a node:
    /// node ids are never reused.
    /// With `database` (a postgres:// URL) the store is made there instead of in a file.
    public static func create(in directory: String, nodeID: String, listen: String, tls: PeerServer.TLSFiles?, plainHTTP: Bool,
                              database: String? = nil, passwordFile: String? = nil, catalog: StandardCatalog) throws(NodeError) -> CreatedNode {
        let fm = FileManager.default
        try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configPath = (directory as NSString).appendingPathComponent("hutong.toml")
        var storePath = (directory as NSString).appendingPathComponent("hutong.sqlite")
        for p in [configPath] + (database == nil ? [storePath] : []) where fm.fileExists(atPath: p) {
            throw NodeError("\(p) already exists: this directory holds a node; a node is never overwritten (use a new directory)")
        }
        do {
            if let database {
                let target = try PostgresTarget(url: database, passwordFile: passwordFile)
                _ = try PostgresNodeStore.create(target: target, nodeID: nodeID, catalog: catalog)
                storePath = target.description
            } else {
                _ = try SQLiteNodeStore.create(path: storePath, nodeID: nodeID, catalog: catalog)
            }
            try NodeConfiguration.template(nodeID: nodeID, listen: listen, tls: tls, plainHTTP: plainHTTP, database: database, passwordFile: passwordFile)
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            let config = try NodeConfiguration.load(path: configPath)
            let key = NodeKey.generate()
            try key.write(to: config.signingKeyPath)
            return CreatedNode(configurationPath: configPath, storePath: storePath, signingKeyPath: config.signingKeyPath, publicKey: key.publicKeyBase64)
        } catch {
            throw NodeError("cannot create the node in \(directory): \(error)")
        }
    }
}
