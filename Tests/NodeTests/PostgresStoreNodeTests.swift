import Foundation
import HutongTesting
import Postgres
import Testing
@testable import Node
import Standard
import Store

/// A node whose store is on PostgreSQL ([store] database): made by
/// `Node.create`, opened from its configuration, and every way to get the
/// configuration wrong refused with the key at fault and never the password.
@Suite struct PostgresStoreNodeTests {
    static func url(_ t: PostgresTarget) -> String { "postgres://\(t.user)@\(t.host):\(t.port)/\(t.database)" }

    @Test func aNodeMadeOnPostgreSQLOpensFromItsConfiguration() throws {
        guard PostgresServer.isAvailable else { throw PostgresFailure(PostgresServer.missing) }
        let target = try PostgresServer.shared.get().database()
        let dir = NodeFixtures.directory()
        let password = dir + "-password"
        try "s3cret-pw\n".write(toFile: password, atomically: true, encoding: .utf8)
        let made = try Node.create(in: dir, nodeID: "node-pg", listen: "127.0.0.1:0", tls: nil, plainHTTP: true,
                                   database: Self.url(target), passwordFile: password, catalog: NodeFixtures.catalog)
        #expect(made.storePath == target.description && !FileManager.default.fileExists(atPath: dir + "/hutong.sqlite"))
        let node = try Node.open(configurationPath: made.configurationPath, schemas: NodeFixtures.schemas)
        #expect(node.store is PostgresNodeStore && node.store.nodeID == "node-pg")
        #expect(node.configuration.storeName == target.description && node.storeFreeBytes() == nil)
        var samples = try SampleGenerator(type: "penalty", seed: 3)
        _ = try node.store.write(type: "penalty", body: samples.next().record)
        #expect(try Node.open(configurationPath: made.configurationPath, schemas: NodeFixtures.schemas).store.info().recordsByType["penalty"] == 1)

        // The same database for a second node is refused: a node id is never reused.
        let other = NodeFixtures.directory()
        let again = #expect(throws: NodeError.self) {
            try Node.create(in: other, nodeID: "node-other", listen: "127.0.0.1:0", tls: nil, plainHTTP: true,
                            database: Self.url(target), catalog: NodeFixtures.catalog)
        }
        #expect(again?.description.contains("already holds a node store") == true, "\(again.map { "\($0)" } ?? "")")

        // Another node's configuration pointed at this store.
        let (b, _) = try NodeFixtures.create("node-b")
        let text = try String(contentsOf: b.configuration.file, encoding: .utf8)
            .replacingOccurrences(of: #"path = "hutong.sqlite""#, with: #"database = "\#(Self.url(target))""#)
        try text.write(to: b.configuration.file, atomically: true, encoding: .utf8)
        let wrong = #expect(throws: NodeError.self) { try Node.open(configurationPath: b.configuration.file.path, schemas: NodeFixtures.schemas) }
        #expect(wrong?.description.contains("\(target) belongs to node node-pg") == true, "\(wrong.map { "\($0)" } ?? "")")
    }

    @Test func aStoreKeyThatCannotBeUsedIsRefusedByName() throws {
        let (node, _) = try NodeFixtures.create("node-c")
        let file = node.configuration.file
        let original = try String(contentsOf: file, encoding: .utf8)
        func refusal(_ store: String) throws -> String {
            try original.replacingOccurrences(of: #"path = "hutong.sqlite""#, with: store).write(to: file, atomically: true, encoding: .utf8)
            do { _ = try NodeConfiguration.load(path: file.path); return "loaded" } catch { return "\(error)" }
        }
        let both = try refusal("path = \"hutong.sqlite\"\ndatabase = \"postgres://hutong@db.example/enforcement\"")
        #expect(both.contains("[store] has both path and database"), "\(both)")
        let secret = try refusal("database = \"postgres://hutong:s3cret-pw@db.example/enforcement\"")
        #expect(secret.contains("[store] database") && secret.contains("password_file") && !secret.contains("s3cret-pw"), "\(secret)")
        let notPostgres = try refusal("database = \"mysql://hutong@db.example/enforcement\"")
        #expect(notPostgres.contains("[store] database") && notPostgres.contains("postgres://USER@HOST:PORT/DATABASE"), "\(notPostgres)")
        let stray = try refusal("path = \"hutong.sqlite\"\npassword_file = \"pw\"")
        #expect(stray.contains("[store] password_file is for a store on PostgreSQL"), "\(stray)")
    }
}
