import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Replication
import Standard
import Store
import JSON

/// The peer API (`Schemas/api/peer-api.json`): changes for pulls, batches for
/// pushes, health and status. Mutual TLS by default; a caller whose
/// certificate is not pinned to a configured peer gets 403. Store work runs on
/// the thread pool, never on the event loop.
public struct PeerServer: Sendable {
    /// Records per batch (`limit`) and batches per answer (`batches`) a pull may
    /// ask for; the sync command holds its options to the same bounds.
    public static let batchSizes = 1...10_000
    public static let batchesPerAnswer = 1...100

    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        /// nil: plain HTTP (only on a loopback address, when the operator asks).
        public var tls: TLSFiles?
        /// Largest request body accepted, compressed and decompressed.
        public var maxBodyBytes: Int = 64 << 20
        public var maxBatchAge: TimeInterval = 600
        /// Seconds a connection may stay silent, or take to send its request head.
        public var idleTimeout = 30
        /// Told what each answered pull sent and each accepted push brought, by
        /// record type (the daemon's counters); `seconds` and errors are not set.
        public var exchanged: (@Sendable (SyncSummary) -> Void)?

        public init(host: String, port: Int, tls: TLSFiles?) { self.host = host; self.port = port; self.tls = tls }
    }

    public struct TLSFiles: Sendable {
        public var certificate: String, key: String, ca: String
        public init(certificate: String, key: String, ca: String) { self.certificate = certificate; self.key = key; self.ca = ca }
    }

    let store: any ChangeLog & BatchSink & AuditLog & PeerLedger
    let catalog: StandardCatalog
    let key: NodeKey
    let peers: [PeerEntry]
    let settings: Settings
    let calls = PeerCallNotes()

    public init(store: any ChangeLog & BatchSink & AuditLog & PeerLedger, catalog: StandardCatalog, key: NodeKey, peers: [PeerEntry], settings: Settings) {
        self.store = store; self.catalog = catalog; self.key = key; self.peers = peers; self.settings = settings
    }

    /// Runs until the task is cancelled or the process is told to stop.
    public func run(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(logger: logger, onRunning: onRunning).runService()
    }

    /// The server as a service, for a `ServiceGroup` of the caller's (the daemon).
    public func application(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let server: HTTPServerBuilder
        // A connection that has not sent a whole request head (or has stalled
        // in its body) this long is closed: a caller sending its headers a
        // line at a time must not hold a connection for ever.
        let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(settings.idleTimeout)))
        if let tls = settings.tls {
            let config = TLSConfiguration.makeServerConfigurationWithMTLS(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem)),
                trustRoots: .file(tls.ca))
            // HTTP/2 for clients that offer it (ALPN), HTTP/1.1 for the rest.
            server = try .http2Upgrade(tlsConfiguration: config, configuration: .init(
                idleTimeout: .seconds(settings.idleTimeout), streamConfiguration: http1))
        } else {
            guard ["127.0.0.1", "::1", "localhost"].contains(settings.host) else {
                throw PeerServerError("plain HTTP is allowed only on a loopback address, not \(settings.host); configure [tls]")
            }
            server = .http1(configuration: http1)
        }
        let app = Application(router: router(), server: server,
                              configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "hutong"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                              logger: logger)
        return app
    }

    /// The peer API's routes, for any context that can say who is calling:
    /// `PeerRequestContext` (the TLS client certificate) when serving, another
    /// in tests that run a sync against the server in process.
    public func router<Context: PeerCallerContext>(context: Context.Type = PeerRequestContext.self) -> Router<Context> {
        let router = Router(context: Context.self)
        router.get(RouterPath(PeerAPI.health)) { request, context in
            // Even the node id is for configured peers only.
            _ = try await identify(request, context)
            return Self.json(.ok, [PeerAPI.Key.status: "ok", PeerAPI.Key.node: .string(store.nodeID), PeerAPI.Key.protocol: 1])
        }
        router.get(RouterPath(PeerAPI.status)) { request, context in
            let peer = try await identify(request, context)
            await noteCall(peer)
            var answer = JSONObject()
            answer[PeerAPI.Key.node] = .string(store.nodeID)
            answer[PeerAPI.Key.epoch] = .string(store.epoch)
            answer[PeerAPI.Key.schemaVersion] = .string(catalog.version)
            answer[PeerAPI.Key.yourGrants] = peer.grants.json
            // Counting records reads the whole store; a sync asks only for its grants.
            if request.uri.queryParameters[Substring(PeerAPI.Query.records)] != "false" {
                let info = try await NIOThreadPool.singleton.runIfActive { try store.info() }
                var records = JSONObject()
                for (t, n) in info.recordsByType.sorted(by: { $0.key < $1.key }) { records[t] = .int(Int64(n)) }
                answer[PeerAPI.Key.records] = .object(records)
                answer[PeerAPI.Key.lastSeq] = .int(info.lastSequence)
            }
            return Self.json(.ok, .object(answer))
        }
        router.get(RouterPath(PeerAPI.changes)) { request, context in try await changes(request, context) }
        router.post(RouterPath(PeerAPI.batches)) { request, context in try await receive(request, context) }
        return router
    }

    // MARK: Pull

    func changes(_ request: Request, _ context: some PeerCallerContext) async throws -> Response {
        let peer = try await identify(request, context, refusing: .pullRefused)
        let since = request.uri.queryParameters[Substring(PeerAPI.Query.since)].map(String.init) ?? ""
        let parts = since.split(separator: ":", maxSplits: 1).map(String.init)
        guard since.isEmpty || (parts.count == 2 && Int64(parts[1]) != nil) else {
            throw PeerAPIError(.badRequest, "bad-cursor", "since must be EPOCH:SEQ, e.g. since=\(store.epoch):0")
        }
        let limit = request.uri.queryParameters[Substring(PeerAPI.Query.limit)].flatMap { Int(String($0)) } ?? 1_000
        guard Self.batchSizes.contains(limit) else {
            throw PeerAPIError(.badRequest, "bad-limit", "limit must be \(Self.batchSizes.lowerBound) to \(Self.batchSizes.upperBound)")
        }
        let batches = request.uri.queryParameters[Substring(PeerAPI.Query.batches)].flatMap { Int(String($0)) } ?? 1
        guard Self.batchesPerAnswer.contains(batches) else {
            throw PeerAPIError(.badRequest, "bad-batches", "batches must be \(Self.batchesPerAnswer.lowerBound) to \(Self.batchesPerAnswer.upperBound)")
        }
        // Another epoch (or none): this node's log started over; send it from the beginning.
        let from = parts.count == 2 && parts[0] == store.epoch ? Int64(parts[1])! : 0
        await noteCall(peer, pulledTo: from)
        let catalog = self.catalog, store = self.store, key = self.key
        let selection = OutgoingBatch.Selection.sending(to: peer.grants, catalog: catalog)
        var headers = HTTPFields()
        headers[.contentType] = PeerAPI.batchContentType
        headers[.contentEncoding] = "gzip"
        // Streamed: each piece is read from the store on the thread pool and
        // written as soon as it is compressed. Up to `batches` batches follow
        // each other in one gzip stream, each from where the one before ended,
        // so a long log flows without a round trip per batch. A failure midway
        // cuts the body short, and the receiver refuses a batch without its end line.
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let deflater = Deflater()
            var since = from
            var served = SyncSummary(peer: peer.name)
            defer { if served.pushed > 0 { self.settings.exchanged?(served) } }
            for _ in 0..<batches {
                let batch = OutgoingBatch(store: store, key: key, schemaVersion: catalog.version, peer: peer.name, since: since, limit: limit,
                                          deflater: deflater, selection: selection)
                while let piece = try await NIOThreadPool.singleton.runIfActive({ try batch.next() }) {
                    if !piece.isEmpty { try await writer.write(ByteBuffer(bytes: piece)) }
                }
                if batch.count > 0 {
                    served.pushed += batch.count
                    served.tally(sent: batch.countsByType)
                    try await audit(.batchSent, "to \(peer.name) batch \(batch.header.batchID): \(batch.count) records, sequence \(since + 1)...\(batch.cursor)")
                }
                guard !batch.reachedEnd, batch.cursor > since else { break }
                since = batch.cursor
            }
            try await writer.write(ByteBuffer(bytes: deflater.finish()))
            try await writer.finish(nil)
        })
    }

    // MARK: Push

    func receive(_ request: Request, _ context: some PeerCallerContext) async throws -> Response {
        let peer = try await identify(request, context, refusing: .batchRefused)
        await noteCall(peer)
        let type = request.headers[.contentType] ?? ""
        guard type.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == PeerAPI.batchContentType else {
            try await audit(.batchRefused, "from \(peer.name): sent as \(type.isEmpty ? "no content type" : type.prefix(80)), not application/x-ndjson")
            throw PeerAPIError(.unsupportedMediaType, "unsupported-media-type", "a batch is sent as Content-Type: application/x-ndjson (gzip: Content-Encoding: gzip), not \(type.isEmpty ? "without a content type" : String(type.prefix(80)))")
        }
        let grants = peer.grants
        // A pushed batch holds at most what a pull batch may (a pusher's batches are the same size).
        let decoder = BatchReader(catalog: catalog, maxAge: settings.maxBatchAge).decoder(
            from: peer.name, key: peer.signingKey, maxRecords: Self.batchSizes.upperBound, bodies: false) { type, body in
            grants.allowsPush(type: type, body: body)
        }
        // Streamed: every record is checked as its line arrives; nothing is
        // applied before the end line's signature verifies.
        let decoded: BatchDecoder.Decoded
        do {
            if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > settings.maxBodyBytes {
                throw GzipError.tooLarge(settings.maxBodyBytes)
            }
            let inflater = request.headers[.contentEncoding] == "gzip" ? Inflater(limit: settings.maxBodyBytes) : nil
            var received = 0
            for try await piece in request.body {
                received += piece.readableBytes
                guard received <= settings.maxBodyBytes else { throw GzipError.tooLarge(settings.maxBodyBytes) }
                try piece.withUnsafeReadableBytes { bytes in
                    if let inflater {
                        try inflater.feed(bytes) { try decoder.feed(UnsafeRawBufferPointer($0)) }
                    } else {
                        try decoder.feed(bytes)
                    }
                }
            }
            try inflater?.finish()
            decoded = try decoder.finish()
        } catch let error as GzipError {
            try? await audit(.batchRefused, "from \(peer.name): \(error)")
            if case .tooLarge = error {
                throw PeerAPIError(.contentTooLarge, "too-large", "the batch is larger than this node's limit of \(settings.maxBodyBytes) bytes; send smaller batches")
            }
            throw PeerAPIError(.badRequest, "bad-gzip", error.description)
        } catch let refusal as BatchRefusal {
            throw try await refuse(refusal, peer)
        }
        let result = try await NIOThreadPool.singleton.runIfActive { () throws -> JSONValue in
            let r = try store.apply(IncomingBatch(peer: peer.name, batchID: decoded.header.batchID, versions: decoded.versions, rejected: decoded.rejected))
            if r.repeated {
                try store.audit(kind: .batchRepeated, detail: "from \(peer.name) batch \(decoded.header.batchID): already applied; answered as the first time, nothing changed")
            }
            if !r.repeated, let exchanged = settings.exchanged {
                var s = SyncSummary(peer: peer.name)
                s.received = decoded.versions.count + decoded.rejected.count
                s.tally(received: decoded.versions.map(\.type) + decoded.rejected.map(PeerSync.type(of:)), r.outcomes)
                exchanged(s)
            }
            if decoded.notGranted > 0 && !r.repeated {
                try store.audit(kind: .pushRefused, detail: "from \(peer.name) batch \(decoded.header.batchID): \(decoded.notGranted) records of types or regions not in its push grant, quarantined")
            }
            var counts = JSONObject()
            for o in RecordOutcome.allCases { counts[o.rawValue] = .int(Int64(r.count(o))) }
            var records: [JSONValue] = []
            for (i, v) in decoded.versions.enumerated() where i < r.outcomes.count {
                records.append(["id": .string(v.id), "outcome": .string(r.outcomes[i].rawValue)])
            }
            return ["batch_id": .string(decoded.header.batchID), "repeated": .bool(r.repeated), PeerAPI.Key.counts: .object(counts),
                    "records": .array(records), PeerAPI.Key.rejected: .array((decoded.rejected.map(\.reason) + r.refused).map { .string($0) })]
        }
        return Self.json(.ok, result)
    }

    /// Audits a refused batch and makes its error answer.
    func refuse(_ refusal: BatchRefusal, _ peer: PeerEntry) async throws -> PeerAPIError {
        try await audit(.batchRefused, "from \(peer.name): \(refusal.description)")
        return PeerAPIError(refusal == .badSignature || refusal == .unsigned ? .unauthorized : .badRequest, refusal.code, refusal.description)
    }

    // MARK: Helpers

    /// The configured peer calling, or 403. `refusing`: the audit kind under
    /// which a refused caller is recorded (every refused batch or pull is audited).
    func identify(_ request: Request, _ context: some PeerCallerContext, refusing kind: AuditKind? = nil) async throws -> PeerEntry {
        func refuse(_ code: String, _ message: String, audited: String) async throws -> PeerAPIError {
            if let kind { try await audit(kind, audited) }
            return PeerAPIError(.forbidden, code, message)
        }
        if settings.tls == nil {
            // Plain HTTP on loopback (tests): the single configured peer, or none.
            guard peers.count == 1 else {
                throw try await refuse("unknown-peer", "plain HTTP serves exactly one configured peer", audited: "from a caller over plain HTTP: this node has \(peers.count) peers, and plain HTTP serves exactly one")
            }
            return peers[0]
        }
        guard let pin = await context.callerPin(request) else {
            throw try await refuse("no-certificate", "a client certificate is required", audited: "from a caller without a client certificate")
        }
        guard let peer = peers.first(where: { $0.pin == pin }) else {
            throw try await refuse("unknown-peer", "your certificate (\(pin)) is not pinned to any peer of \(store.nodeID); its operator adds it with `hutong peers add`",
                                   audited: "from an unknown certificate \(pin): not pinned to any configured peer")
        }
        return peer
    }

    /// Notes that `peer` called (for `hutong status`); a failure to note it never fails the request.
    func noteCall(_ peer: PeerEntry, pulledTo: Int64? = nil) async {
        guard calls.due(peer.name, pulledTo: pulledTo) else { return }
        try? await NIOThreadPool.singleton.runIfActive { try store.noteCall(peer: peer.name, pulledTo: pulledTo) }
    }

    func audit(_ kind: AuditKind, _ detail: String) async throws {
        try await NIOThreadPool.singleton.runIfActive { try store.audit(kind: kind, detail: detail) }
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(value) + "\n")))
    }
}

/// An error answer: JSON with a code and a message (Schemas/api/peer-api.json).
public struct PeerAPIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status; self.code = code; self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        PeerServer.json(status, [PeerAPI.Key.error: [PeerAPI.Key.code: .string(code), PeerAPI.Key.message: .string(message)]])
    }
}

public struct PeerServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
