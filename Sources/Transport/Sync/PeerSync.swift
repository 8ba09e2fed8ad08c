import Foundation
import Replication
import Standard
import Store

/// One node's exchange with one peer: push what the peer lacks, then pull what
/// we lack, page by page. Every page is one signed batch; a cursor moves only
/// after its page succeeded (push: the peer answered 200; pull: in the same
/// transaction as the applied batch), so a stop at any point resumes without
/// loss or duplicates.
public final class PeerSync {
    let store: any NodeStore
    let catalog: StandardCatalog
    let key: NodeKey
    let peer: PeerEntry
    let client: PeerClient
    let pageSize: Int
    /// Called with a progress line (for a terminal) after each page.
    let progress: ((String) -> Void)?
    public private(set) var summary: SyncSummary

    public init(store: any NodeStore, catalog: StandardCatalog, key: NodeKey, peer: PeerEntry, client: PeerClient,
                pageSize: Int = 1_000, progress: ((String) -> Void)? = nil) {
        self.store = store; self.catalog = catalog; self.key = key; self.peer = peer; self.client = client
        self.pageSize = pageSize; self.progress = progress
        summary = SyncSummary(peer: peer.name)
    }

    /// What the peer lets us do, from its status answer.
    public func peerStatus() throws -> JSONValue {
        let r = try client.request("GET", "/v1/status?records=false")
        summary.httpVersion = r.httpVersion
        return try Self.answer(r, from: peer.name)
    }

    public func push() throws {
        let accepted = PeerGrants(json: try peerStatus()["your_grants"] ?? [:])
        let cursor = try store.cursor(peer: peer.name, direction: .push)
        var since = cursor.map { $0.epoch == store.epoch ? $0.sequence : 0 } ?? 0
        while true {
            let c = try store.changes(since: since, excludingPeer: peer.name, limit: pageSize)
            guard c.lastSequence > since else { break }
            // Only what the peer accepts from us; the rest is not for it.
            let versions = c.versions.filter { accepted.allows(accepted.push, type: $0.type, body: $0.body) }
            if !versions.isEmpty {
                let header = BatchHeader(node: store.nodeID, epoch: c.epoch, seqFrom: since, seqTo: c.lastSequence,
                                         count: versions.count, schemaVersion: catalog.version)
                let body = Gzip.compress(try BatchWriter.encode(header: header, envelopes: versions, key: key))
                let r = try client.request("POST", "/v1/batches", body: body,
                                           headers: ["Content-Type: application/x-ndjson", "Content-Encoding: gzip"])
                let answer = try Self.answer(r, from: peer.name)
                summary.pushed += versions.count
                summary.pushRejected += Int(answer["counts"]?["rejected"]?.intValue ?? 0)
                try store.audit(kind: "batch-sent", detail: "to \(peer.name) batch \(header.batchID): \(versions.count) records, sequence \(since + 1)...\(c.lastSequence), peer answered \(JSONWriter.string(answer["counts"] ?? .null))")
            }
            try store.setCursor(PeerCursor(peer: peer.name, direction: .push, epoch: c.epoch, sequence: c.lastSequence))
            since = c.lastSequence
            progress?("\(peer.name): pushed \(summary.pushed) records")
        }
    }

    /// Pages are fetched and checked one ahead: while page N is applied, page
    /// N+1 is downloaded and validated on another thread (its cursor is known
    /// from N's header). A page is still applied only after the one before it.
    public func pull() throws {
        let start = try store.cursor(peer: peer.name, direction: .pull)
        var page = try fetch(since: start.map { "\($0.epoch):\($0.sequence)" } ?? "")
        var position = start
        while true {
            let h = page.header
            let moved = position == nil || position!.epoch != h.epoch || h.seqTo > position!.sequence
            guard moved else { break }
            let next = h.partial ? nil : PeerCursor(peer: peer.name, direction: .pull, epoch: h.epoch, sequence: h.seqTo)
            let ahead = next.map { n in Prefetch { try self.fetch(since: "\(n.epoch):\(n.sequence)") } }
            let result: BatchResult
            do {
                result = try store.apply(IncomingBatch(peer: peer.name, batchID: h.batchID, versions: page.versions,
                                                       rejected: page.rejected, cursor: next))
            } catch {
                _ = try? ahead?.wait()
                throw error
            }
            summary.received += page.versions.count + page.rejected.count
            summary.applied += result.count(.applied) + result.count(.merged)
            summary.conflicts += result.count(.conflict) + result.count(.divergence)
            summary.quarantined += result.count(.rejected)
            progress?("\(peer.name): received \(summary.received) records")
            guard let ahead else { break }
            page = try ahead.wait()
            position = next
        }
    }

    /// One page of the peer's change log after `since`, signature and records checked.
    func fetch(since: String) throws -> BatchReader.Decoded {
        let r = try client.request("GET", "/v1/changes?since=\(since)&limit=\(pageSize)")
        if r.status != 200 { _ = try Self.answer(r, from: peer.name) }
        do throws(BatchRefusal) {
            return try BatchReader(catalog: catalog).read(r.body, from: peer.name, key: peer.signingKey)
        } catch {
            try store.audit(kind: "batch-refused", detail: "from \(peer.name) (pull): \(error.description)")
            throw SyncError("\(peer.name) sent a batch that was refused: \(error.description)")
        }
    }

    /// The JSON answer of a 2xx, or the peer's error message.
    public static func answer(_ r: PeerClient.Response, from peer: String) throws -> JSONValue {
        let value = try? JSONParser.parse(r.body)
        guard (200..<300).contains(r.status) else {
            let message = value?["error"]?["message"]?.stringValue ?? String(decoding: r.body.prefix(300), as: UTF8.self)
            let code = value?["error"]?["code"]?.stringValue.map { " \($0)" } ?? ""
            throw SyncError("\(peer) answered \(r.status)\(code): \(message)")
        }
        guard let value else { throw SyncError("\(peer) answered with something that is not JSON") }
        return value
    }
}

public struct SyncError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Work started on another thread now and waited for later. The sync object
/// it uses is touched by one thread at a time: the owner waits before its own
/// next request.
final class Prefetch<T>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping () throws -> T) {
        nonisolated(unsafe) let work = work
        DispatchQueue.global().async {
            self.result = Result { try work() }
            self.done.signal()
        }
    }

    func wait() throws -> T {
        done.wait()
        return try result!.get()
    }
}
