import Foundation
import HutongTesting
import Testing
@testable import Node
import Standard
import Store
import Transport
import JSON

enum NodeFixtures {
    static let schemas = TestRepository.schemas
    static let catalog = TestRepository.catalog

    static func directory() -> String {
        NSTemporaryDirectory() + "hutong-node-\(UUID().uuidString)"
    }

    static func create(_ id: String, in dir: String = directory()) throws -> (Node, String) {
        let made = try Node.create(in: dir, nodeID: id, listen: "127.0.0.1:0", tls: nil, plainHTTP: true, catalog: catalog)
        return (try Node.open(configurationPath: made.configurationPath, schemas: schemas), dir)
    }
}

@Suite struct NodeTests {
    @Test func aCreatedNodeOpensWithItsStoreAndKey() throws {
        let (node, dir) = try NodeFixtures.create("node-one")
        #expect(node.configuration.nodeID == "node-one")
        #expect(node.store.nodeID == "node-one")
        #expect(try node.signingKey().publicKeyBase64.count > 40)
        // A directory that holds a node is never overwritten.
        #expect(throws: NodeError.self) {
            try Node.create(in: dir, nodeID: "node-two", listen: "127.0.0.1:0", tls: nil, plainHTTP: true, catalog: NodeFixtures.catalog)
        }
    }

    @Test func aStoreOfAnotherNodeIsRefused() throws {
        let (a, _) = try NodeFixtures.create("node-a")
        let (b, _) = try NodeFixtures.create("node-b")
        // node-a's configuration pointed at node-b's store.
        let text = try String(contentsOf: a.configuration.file, encoding: .utf8)
            .replacingOccurrences(of: #"path = "hutong.sqlite""#, with: #"path = "\#(b.configuration.storePath)""#)
        try text.write(to: a.configuration.file, atomically: true, encoding: .utf8)
        do {
            _ = try Node.open(configurationPath: a.configuration.file.path, schemas: NodeFixtures.schemas)
            Issue.record("a store of another node was opened")
        } catch {
            #expect(error.description.contains("belongs to node node-b"))
            #expect(error.kind == .request)
        }
    }

    @Test func aMissingConfigurationIsNamed() throws {
        do {
            _ = try Node.open(configurationPath: "/nonexistent/hutong.toml", schemas: NodeFixtures.schemas)
            Issue.record("opened a node without a configuration")
        } catch {
            #expect(error.description.contains("/nonexistent/hutong.toml"))
            #expect(error.description.contains("hutong init"))
        }
    }

    @Test func addingAPeerWritesTheFileAndTheAuditLog() throws {
        let (node, _) = try NodeFixtures.create("node-a")
        let key = NodeKey.generate().publicKeyBase64
        try node.addPeer(name: "node-b", url: "http://127.0.0.1:1", pin: nil, signingKey: key,
                         grants: PeerGrants(pull: ["penalty"], push: ["case_transfer"], regions: ["11"], personal: false))
        let reread = try NodeConfiguration.load(path: node.configuration.file.path)
        let peer = try #require(reread.peer(named: "node-b"))
        #expect(peer.grants == PeerGrants(pull: ["penalty"], push: ["case_transfer"], regions: ["11"], personal: false))
        #expect(try node.store.auditEntries(limit: 10).contains { $0.kind == AuditKind.configuration.rawValue && $0.detail.contains("peer node-b added") })
    }

    @Test func aRefusedPeerLeavesTheFileAsItWas() throws {
        let (node, _) = try NodeFixtures.create("node-a")
        let before = try Data(contentsOf: node.configuration.file)
        let key = NodeKey.generate().publicKeyBase64
        let cases: [(String, String, String?, String, PeerGrants, String)] = [
            ("node-a", "http://127.0.0.1:1", nil, key, .none, "is this node"),
            ("Node B", "http://127.0.0.1:1", nil, key, .none, "a node id is"),
            ("node-b", "https://10.0.0.1:7443", nil, key, .none, "needs a pin"),
            ("node-b", "http://127.0.0.1:1", nil, "not-a-key", .none, "signing key"),
            ("node-b", "http://127.0.0.1:1", nil, key, PeerGrants(pull: ["penalties"]), "unknown record type \"penalties\""),
        ]
        for (name, url, pin, k, grants, says) in cases {
            do {
                try node.addPeer(name: name, url: url, pin: pin, signingKey: k, grants: grants)
                Issue.record("peer \(name) at \(url) was added")
            } catch {
                #expect(error.description.contains(says), "\(error)")
            }
        }
        #expect(try Data(contentsOf: node.configuration.file) == before)
    }

    @Test func aSyncRoundWithoutPeersOrWithAnUnknownOneIsRefusedBeforeAnyExchange() throws {
        let (node, _) = try NodeFixtures.create("node-a")
        #expect(throws: NodeError.self) { try node.sync(SyncRound()) }
        do {
            _ = try node.sync(SyncRound(peers: ["nobody"]))
            Issue.record("synced with an unknown peer")
        } catch {
            #expect(error.description.contains("no peer \"nobody\""))
        }
    }

    /// A peer that does not answer fails its own line; the round goes on and
    /// the failure is audited.
    @Test func anUnreachablePeerFailsOnlyItsOwnExchange() throws {
        let (node, _) = try NodeFixtures.create("node-a")
        for name in ["node-b", "node-c"] {
            try node.addPeer(name: name, url: "http://127.0.0.1:9", pin: nil, signingKey: NodeKey.generate().publicKeyBase64, grants: .none)
        }
        let reopened = try Node.open(configurationPath: node.configuration.file.path, schemas: NodeFixtures.schemas)
        var seen: [String] = []
        let summaries = try reopened.sync(SyncRound()) { seen.append($0.peer) }
        #expect(seen == ["node-b", "node-c"])
        #expect(summaries.allSatisfy { $0.error != nil })
        #expect(try reopened.store.auditEntries(limit: 20).filter { $0.kind == AuditKind.syncFailed.rawValue }.count == 2)
    }

    @Test func importAndExportRoundTripBetweenTwoNodes() throws {
        let (a, _) = try NodeFixtures.create("node-a")
        let (b, _) = try NodeFixtures.create("node-b")
        var g = try SampleGenerator(type: "penalty", seed: 5)
        let file = NSTemporaryDirectory() + "hutong-node-\(UUID().uuidString).ndjson"
        try (0..<30).map { _ in JSONWriter.string(g.next().record) }.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try a.importFile(file, transactionSize: 8)
        #expect(imported.counts["written"] == 30)
        let exportPath = file + ".export.ndjson"
        FileManager.default.createFile(atPath: exportPath, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: exportPath))
        let exported = try a.export(to: handle)
        try handle.close()
        #expect(exported.records == 30)
        let applied = try b.importFile(exportPath)
        #expect(applied.exportedBy == "node-a")
        #expect(applied.counts["applied"] == 30)
        #expect(try b.store.info().recordsByType["penalty"] == 30)
        #expect(try b.store.cursor(peer: "node-a", direction: .pull)?.sequence == exported.reached)
    }

    @Test func resolvingAnUnknownConflictIsTheRequestsFault() throws {
        let (node, _) = try NodeFixtures.create("node-a")
        do {
            _ = try node.resolveConflict(42, keeping: .local)
            Issue.record("resolved a conflict that does not exist")
        } catch let e as NodeError {
            #expect(e.kind == .request)
            #expect(e.description.contains("no conflict 42"))
        }
    }
}
