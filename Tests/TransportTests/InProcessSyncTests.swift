import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HutongTesting
import JSON
import NIOCore
import Replication
import Standard
import Store
import Testing
@testable import Transport

/// A request context for the server in process: the caller's pin comes from a
/// header the test sets, where a served node reads it from the TLS handshake.
struct PinHeaderContext: PeerCallerContext {
    static let pinHeader = HTTPField.Name("X-Test-Pin")!
    var coreContext: CoreRequestContextStorage
    init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
    func callerPin(_ request: Request) async -> String? { request.headers[Self.pinHeader] }
    var maxUploadSize: Int { Int.max }
}

/// The way to a peer whose server runs in this process (HummingbirdTesting's
/// router client): each request of the sync's blocking thread is handed to the
/// async client and waited for; answers are decompressed as `PeerClient` does.
final class InProcessConnection: PeerConnection, @unchecked Sendable {
    let client: any TestClientProtocol
    let pin: String?
    private(set) var requests = 0

    init(client: any TestClientProtocol, pin: String?) { self.client = client; self.pin = pin }

    func request(_ method: String, _ path: String, body: [UInt8]?, headers: [String],
                 upload: (() throws -> any UploadSource)?, download: (() -> any DownloadSink)?,
                 stop: (() -> Bool)?) throws -> PeerResponse {
        requests += 1
        var fields = HTTPFields()
        for h in headers {
            guard let colon = h.firstIndex(of: ":"), let name = HTTPField.Name(String(h[..<colon])) else { continue }
            fields[name] = h[h.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if let pin { fields[PinHeaderContext.pinHeader] = pin }
        var sent = body ?? []
        if let upload {
            let source = try upload()
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                sent += chunk[..<n]
            }
        }
        let sends = body != nil || upload != nil
        let answer = try wait { [client, fields, sent] in
            try await client.execute(uri: path, method: HTTPRequest.Method(method)!, headers: fields,
                                     body: sends ? ByteBuffer(bytes: sent) : nil)
        }
        var bytes = Array(answer.body.readableBytesView)
        if answer.headers[.contentEncoding] == "gzip" { bytes = try Gzip.decompress(bytes, limit: 1 << 30) }
        let status = Int(answer.status.code)
        if (200..<300).contains(status), let download {
            try bytes.withUnsafeBytes { try download().write($0) }
            bytes = []
        }
        return PeerResponse(status: status, body: bytes, httpVersion: "1.1")
    }

    /// Runs `work` on the concurrency pool and blocks this (non-pool) thread until it ends.
    private func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, any Error>!
        Task {
            do { result = .success(try await work()) } catch { result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try result.get()
    }
}

/// The peer API exercised in process: a real store behind the real router,
/// a real store at the syncing node, and `PeerSync` between them — no
/// binaries, sockets or certificates.
@Suite struct InProcessSyncTests {
    typealias F = TransportFixtures

    struct Node {
        let store: SQLiteNodeStore
        let key = NodeKey.generate()
        let pin: String
        init(_ name: String, records: Int, seed: UInt64) throws {
            let path = NSTemporaryDirectory() + "hutong-inprocess-\(name)-\(UUID().uuidString).sqlite"
            store = try SQLiteNodeStore.create(path: path, nodeID: name, catalog: F.catalog)
            var g = try SampleGenerator(type: "penalty", seed: seed)
            _ = try store.write((0..<records).map { _ in (type: "penalty", body: g.next().record) })
            pin = "sha256//" + Data(name.utf8).base64EncodedString()
        }
        func entry(as name: String, grants: PeerGrants) throws -> PeerEntry {
            try PeerEntry(name: name, url: "http://in-process", pin: pin, signingKey: key.publicKeyBase64, grants: grants)
        }
    }

    /// node-b's server, knowing node-a with `grants`, as an application the test client reaches in process.
    func server(_ b: Node, knowing a: Node, grants: PeerGrants) throws -> some ApplicationProtocol {
        // TLS settings name files that are never read: only `run` reads them; `identify`
        // sees TLS configured and so asks the context for the caller's pin.
        let settings = PeerServer.Settings(host: "127.0.0.1", port: 0, tls: .init(certificate: "-", key: "-", ca: "-"))
        let server = PeerServer(store: b.store, catalog: F.catalog, key: b.key,
                                peers: [try a.entry(as: "node-a", grants: grants)], settings: settings)
        return Application(router: server.router(context: PinHeaderContext.self))
    }

    /// Runs a sync of node-a with node-b on a thread of its own, as the CLI does
    /// (it blocks while requests are answered on the concurrency pool).
    func sync(_ a: Node, with b: Node, grants: PeerGrants, connection: InProcessConnection,
              _ body: @escaping (PeerSync) throws -> Void) async throws -> SyncSummary {
        let peer = try b.entry(as: "node-b", grants: grants)
        let sync = PeerSync(store: a.store, catalog: F.catalog, key: a.key, peer: peer, client: connection, batchSize: 40, batchesPerRequest: 3)
        nonisolated(unsafe) let unchecked = sync, run = body
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                do { try run(unchecked); c.resume() } catch { c.resume(throwing: error) }
            }
        }
        return sync.summary
    }

    /// Both directions through the router: what node-a may send arrives at
    /// node-b, what node-b grants node-a arrives at node-a, several batches
    /// each way, and each side's log then holds both sides' records.
    @Test func pushAndPullThroughTheRouter() async throws {
        let a = try Node("node-a", records: 150, seed: 11)
        let b = try Node("node-b", records: 90, seed: 12)
        let both = PeerGrants(pull: ["penalty"], push: ["penalty"], personal: true)
        let app = try server(b, knowing: a, grants: both)
        let summary = try await app.test(.router) { client in
            let connection = InProcessConnection(client: client, pin: a.pin)
            return try await sync(a, with: b, grants: both, connection: connection) { try $0.push(); try $0.pull() }
        }
        #expect(summary.pushed == 150 && summary.pushRejected == 0)
        #expect(try a.store.records(type: "penalty", after: nil, limit: 1_000).count == 240)
        #expect(try b.store.records(type: "penalty", after: nil, limit: 1_000).count == 240)
        #expect(try a.store.cursor(peer: "node-b", direction: .pull) != nil)
        // What came from node-b is not sent back to it: the push cursor moves past it too.
        let push = try a.store.cursor(peer: "node-b", direction: .push)
        #expect(push?.sequence == 240, "\(String(describing: push))")
    }

    /// A record withdrawn at node-a (its tombstone, with an empty body)
    /// reaches node-b in both directions of a sync: deletions replicate like
    /// any change, and a tombstone that carries a body is refused.
    @Test func aTombstoneReplicates() async throws {
        let a = try Node("node-a", records: 20, seed: 21)
        let b = try Node("node-b", records: 0, seed: 22)
        let both = PeerGrants(pull: ["penalty"], push: ["penalty"], personal: true)
        let app = try server(b, knowing: a, grants: both)
        let withdrawn = try #require(try a.store.records(type: "penalty", after: nil, limit: 1).first)
        _ = try a.store.delete(id: withdrawn.id, reason: "信用修复")
        let summary = try await app.test(.router) { client in
            try await sync(a, with: b, grants: both, connection: InProcessConnection(client: client, pin: a.pin)) { try $0.push() }
        }
        #expect(summary.pushed == 20 && summary.pushRejected == 0, "\(summary)")
        #expect(try b.store.record(id: withdrawn.id)?.deleted == true)
        // The tombstone stays while a sink has not written it or a peer has not acknowledged it, then goes.
        #expect(try a.store.purgeTombstones(peers: ["node-b"], upTo: 0) == 0)
        #expect(try a.store.purgeTombstones(peers: ["node-b", "node-c"], upTo: .max) == 0)
        #expect(try a.store.record(id: withdrawn.id)?.deleted == true)
        #expect(try a.store.purgeTombstones(peers: ["node-b"], upTo: .max) == 1)
        #expect(try a.store.record(id: withdrawn.id) == nil)
        // A tombstone with a body: the schema refuses it (nothing unchecked rides on a deletion).
        let gate = RecordGate(catalog: F.catalog, schema: "envelope")!
        var tombstone = try #require(try b.store.record(id: withdrawn.id))
        #expect(gate.check(tombstone.json).isAcceptable)
        tombstone.body = ["note": "unchecked"]
        #expect(!gate.check(tombstone.json).isAcceptable)
    }

    /// A caller whose pin names no configured peer, or who shows none, is
    /// refused with 403 on every route before anything is read or written;
    /// the sync says so, and refused pulls and batches are in node-b's audit log.
    @Test func anUnknownCallerIsRefused() async throws {
        let a = try Node("node-a", records: 10, seed: 13)
        let b = try Node("node-b", records: 10, seed: 14)
        let both = PeerGrants(pull: ["penalty"], push: ["penalty"], personal: true)
        let app = try server(b, knowing: a, grants: both)
        let stranger = "sha256//" + Data("stranger".utf8).base64EncodedString()
        let batch = try F.encode(F.envelopes("penalty", 3), key: a.key)
        try await app.test(.router) { client in
            for pin in [stranger, nil] {
                var headers = HTTPFields()
                if let pin { headers[PinHeaderContext.pinHeader] = pin }
                headers[.contentType] = PeerAPI.batchContentType
                for (method, path, body) in [(HTTPRequest.Method.get, PeerAPI.status, nil), (.get, PeerAPI.changes, nil),
                                             (.post, PeerAPI.batches, ByteBuffer(bytes: batch))] {
                    let r = try await client.execute(uri: path, method: method, headers: headers, body: body)
                    #expect(r.status == .forbidden, "\(method) \(path) with \(pin ?? "no pin")")
                    let code = try JSONParser.parse(Array(r.body.readableBytesView))[PeerAPI.Key.error]?[PeerAPI.Key.code]?.stringValue
                    #expect(code == (pin == nil ? "no-certificate" : "unknown-peer"))
                }
                let error = await #expect(throws: SyncError.self) {
                    _ = try await sync(a, with: b, grants: both, connection: InProcessConnection(client: client, pin: pin)) { try $0.push() }
                }
                #expect(error?.description.hasPrefix("node-b answered 403") == true, "\(String(describing: error))")
            }
        }
        #expect(try b.store.records(type: "penalty", after: nil, limit: 100).count == 10)
        let audit = try b.store.auditEntries(limit: 100).map(\.detail)
        #expect(audit.filter { $0.contains("not pinned to any configured peer") }.count == 2, "\(audit)")
        #expect(audit.filter { $0.contains("without a client certificate") }.count == 2, "\(audit)")
    }
}
