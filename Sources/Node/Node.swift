import Foundation
import Postgres
import Standard
import Store
import Transport

/// A node as every command and the server see it: its configuration, the
/// standard, its store (the backend the configuration names) and its signing
/// key, opened together and checked to belong together. What the node does
/// with peers and files is written once here, in its extensions, so the
/// commands only parse arguments and print.
public final class Node: Sendable {
    public let configuration: NodeConfiguration
    public let catalog: StandardCatalog
    public let store: any NodeStore

    init(configuration: NodeConfiguration, catalog: StandardCatalog, store: any NodeStore) {
        self.configuration = configuration
        self.catalog = catalog
        self.store = store
    }

    /// Opens the node that `configurationPath` (or the default place) describes.
    /// - Throws: `NodeError` naming the file or store at fault and what to do.
    public static func open(configurationPath: String? = nil, schemas: URL) throws(NodeError) -> Node {
        let config: NodeConfiguration
        do { config = try NodeConfiguration.load(path: configurationPath ?? NodeConfiguration.defaultPath()) } catch {
            throw NodeError("\(error)")
        }
        let catalog = try loadCatalog(schemas)
        let store: any NodeStore
        let skew = UInt64(config.maxClockSkewSeconds) * 1000
        do {
            if let database = config.storeDatabase {
                let target = try PostgresTarget(url: database, passwordFile: config.storePasswordFile)
                store = try PostgresNodeStore.open(target: target, catalog: catalog, maxSkewMillis: skew)
            } else {
                store = try SQLiteNodeStore.open(path: config.storePath, catalog: catalog, maxSkewMillis: skew)
            }
        } catch {
            throw NodeError("cannot open the node store: \(error)")
        }
        guard store.nodeID == config.nodeID else {
            throw NodeError("\(config.storeName) belongs to node \(store.nodeID), but \(config.file.path) says \(config.nodeID); a store is never reassigned")
        }
        return Node(configuration: config, catalog: catalog, store: store)
    }

    /// The standard in `directory`, compiled.
    public static func loadCatalog(_ directory: URL) throws(NodeError) -> StandardCatalog {
        do { return try StandardCatalog(directory: directory) } catch {
            throw NodeError("cannot load the standard from \(directory.path): \(error)")
        }
    }

    /// This node's batch-signing key ([keys] signing).
    public func signingKey() throws(NodeError) -> NodeKey {
        do { return try NodeKey.read(from: configuration.signingKeyPath) } catch {
            throw NodeError("\(error)")
        }
    }

    /// The configured peer named `name`.
    public func peer(named name: String) throws(NodeError) -> PeerEntry {
        guard let p = configuration.peer(named: name) else {
            let known = configuration.peers.map(\.name)
            throw NodeError("no peer \"\(name)\" in \(configuration.file.path)" + (known.isEmpty ? "; add one with `hutong peers add`" : "; configured: \(known.joined(separator: ", "))"))
        }
        return p
    }
}

/// Why a node could not be opened or could not do what was asked; the
/// message names the file, store or peer and, where known, the fix.
public struct NodeError: Error, CustomStringConvertible {
    /// Whose the fault is: what was asked for (a file, an option, a name), or
    /// the data it met (an invalid record, a masked copy).
    public enum Kind: Sendable { case request, data }
    public let kind: Kind
    public let description: String
    public init(_ description: String, kind: Kind = .request) { self.description = description; self.kind = kind }
}
