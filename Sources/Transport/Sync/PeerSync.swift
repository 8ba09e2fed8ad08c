import Foundation
import Replication
import Standard
import Store
import JSON

/// One node's exchange with one peer: push what the peer lacks, then pull what
/// we lack, batch by batch (a batch is the signed unit). A cursor moves only
/// after its batch succeeded (push: the peer answered 200; pull: in the same
/// transaction as the applied batch), so a stop at any point resumes without
/// loss or duplicates.
public final class PeerSync {
    let store: any ChangeLog & BatchSink & AuditLog
    let catalog: StandardCatalog
    let key: NodeKey
    let peer: PeerEntry
    let client: any PeerConnection
    let batchSize: Int
    /// Batches asked for in one request (the peer sends them back to back; an
    /// older peer sends one).
    let batchesPerRequest: Int
    /// Called with a progress line (for a terminal) after each batch.
    let progress: ((String) -> Void)?
    public private(set) var summary: SyncSummary

    public init(store: any ChangeLog & BatchSink & AuditLog, catalog: StandardCatalog, key: NodeKey, peer: PeerEntry, client: any PeerConnection,
                batchSize: Int = 1_000, batchesPerRequest: Int = 10, progress: ((String) -> Void)? = nil) {
        self.store = store; self.catalog = catalog; self.key = key; self.peer = peer; self.client = client
        self.batchSize = batchSize; self.batchesPerRequest = batchesPerRequest; self.progress = progress
        summary = SyncSummary(peer: peer.name)
    }

    /// The peer's status answer (without record counts, which cost it a scan).
    public func peerStatus() throws -> JSONValue {
        let r = try client.request("GET", "\(PeerAPI.status)?\(PeerAPI.Query.records)=false")
        summary.httpVersion = r.httpVersion
        return try Self.answer(r, from: peer.name)
    }

    private var knownGrants: PeerGrants?

    /// What the peer lets us do, asked once per sync.
    func grants() throws -> PeerGrants {
        if let knownGrants { return knownGrants }
        let g = PeerGrants(json: try peerStatus()[PeerAPI.Key.yourGrants] ?? [:])
        knownGrants = g
        return g
    }

    /// Where a cursor stands, or nil (from the start) when what may pass has
    /// widened since the cursor last moved: records skipped as not granted
    /// then are owed now. What the other side already has is recognised there.
    /// `grants` is what the cursor is saved with; `widened` says whether it
    /// lets through more than the grants the cursor moved under.
    func startingCursor(_ direction: CursorDirection, grants: String, widened: (String) -> Bool) throws -> PeerCursor? {
        guard let c = try store.cursor(peer: peer.name, direction: direction) else { return nil }
        guard let text = c.grants, widened(text) else { return c }
        let what = direction == .pull ? "what \(peer.name) lets us pull" : "what we may send \(peer.name)"
        try store.audit(kind: .cursorReset, detail: "\(direction.rawValue) cursor for \(peer.name) starts over: \(what) widened from \(text) to \(grants)")
        progress?("\(peer.name): its grant widened; the \(direction.rawValue) starts from the beginning of the log")
        return nil
    }

    /// What a push sends: this node's grant to the peer (what it may pull
    /// from us, and whether it sees personal information), within what the
    /// peer accepts from us. Each batch is read from the log while it is
    /// uploaded. An attempt that fails in transit is made again as a new
    /// batch from the same cursor (a retried batch must hold exactly what its
    /// id was first sent with, and the log may have moved meanwhile).
    public func push() throws {
        let accepted = try grants()
        let grant = peer.grants
        let both = PushGrants(grant: grant, accepts: accepted)
        let cursor = try startingCursor(.push, grants: both.text) { both.widens(PushGrants(text: $0, grant: grant)) }
        var since = cursor.map { $0.epoch == store.epoch ? $0.sequence : 0 } ?? 0
        let selection = OutgoingBatch.Selection.sending(to: grant, accepts: accepted, catalog: catalog)
        while true {
            let make = {
                OutgoingBatch(store: self.store, key: self.key, schemaVersion: self.catalog.version, peer: self.peer.name,
                              since: since, limit: self.batchSize, selection: selection)
            }
            var batch = make()
            if try batch.hasRecords() {
                var attempts = 0
                let r = try client.request("POST", PeerAPI.batches, headers: ["Content-Type: \(PeerAPI.batchContentType)", "Content-Encoding: gzip"],
                                           upload: {
                                               attempts += 1
                                               if attempts > 1 { batch = make() }
                                               return OutgoingBatchUpload(batch)
                                           })
                let answer = try Self.answer(r, from: peer.name)
                summary.pushed += batch.count
                summary.tally(sent: batch.countsByType)
                summary.pushRejected += Int(answer[PeerAPI.Key.counts]?[PeerAPI.Key.rejected]?.intValue ?? 0)
                try store.audit(kind: .batchSent, detail: "to \(peer.name) batch \(batch.header.batchID): \(batch.count) records, sequence \(since + 1)...\(batch.cursor), peer answered \(JSONWriter.string(answer[PeerAPI.Key.counts] ?? .null))")
            }
            // Nothing for the peer in this range (not in its grant): the cursor moves past it all the same.
            guard batch.cursor > since else { break }
            try store.setCursor(PeerCursor(peer: peer.name, direction: .push, epoch: store.epoch, sequence: batch.cursor, grants: both.text))
            since = batch.cursor
            progress?("\(peer.name): pushed \(summary.pushed) records")
            if batch.reachedEnd { break }
        }
    }

    /// Records applied in one transaction at most while batches keep coming:
    /// with random ids, larger transactions write each index page fewer times.
    static let recordsPerTransaction = 50_000

    /// Each batch is checked line by line as it streams in and applied once its
    /// signature verified. One thread receives: it asks for `batchesPerRequest`
    /// batches at a time, which the peer sends back to back, and asks again
    /// from the last batch's cursor at once. The calling thread applies the
    /// batches in order while the next ones arrive and are checked, in one
    /// transaction for as long as more keep arriving (at most ten wait, and
    /// at most `recordsPerTransaction` records go in one), each batch with its
    /// batch id, audit entry and cursor.
    public func pull() throws {
        let pullable = try grants()
        let granted = pullable.text
        let start = try startingCursor(.pull, grants: granted) { old in PeerGrants(text: old).map { pullable.widens($0, pulling: true) } ?? false }
        let queue = BatchQueue<BatchDecoder.Received>(capacity: 10)
        let receiving = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let sync = self
        // A thread of its own, whose priority may be lowered (`ThreadPriority`).
        Thread {
            ThreadPriority.lower(to: ThreadPriority.receiver)
            do {
                try sync.receive(from: start.map { ($0.epoch, $0.sequence) }, into: queue)
                queue.finish()
            } catch {
                queue.finish(error)
            }
            receiving.signal()
        }.start()
        defer { receiving.wait() }
        do {
            while case let first = try queue.take(upTo: queue.capacity), !first.isEmpty {
                // One transaction for the batches waiting now and those that come
                // while they are applied, up to `recordsPerTransaction`.
                var received: [Int] = []  // per batch, for the summary
                var types: [[String]] = []  // per batch, its versions' and rejected lines' types
                // The batches last given, let go on their lanes once applied.
                var given: [(BatchDecoder.Received, IncomingBatch)] = []
                func release() {
                    for (received, batch) in given { received.release(batch) }
                    given = []
                }
                var waiting = first
                let results = try store.apply(from: {
                    release()
                    if !received.isEmpty {
                        guard received.reduce(0, +) < Self.recordsPerTransaction else { return [] }
                        // A receiving error ends the group: what was applied is
                        // committed, and the next take (waiting) throws it.
                        waiting = (try? queue.take(upTo: queue.capacity, waiting: false)) ?? []
                    }
                    let batches = waiting.map { batch in
                        let (h, end) = (batch.header, batch.end)
                        let next = end.partial ? nil : PeerCursor(peer: peer.name, direction: .pull, epoch: h.epoch, sequence: end.seqTo, grants: granted)
                        let checked = batch.records()
                        return IncomingBatch(peer: peer.name, batchID: h.batchID, versions: checked.versions, rejected: checked.rejected, cursor: next)
                    }
                    given = Array(zip(waiting, batches))
                    waiting = []
                    received += batches.map { $0.versions.count + $0.rejected.count }
                    types += batches.map { $0.versions.map(\.type) + $0.rejected.map(Self.type(of:)) }
                    return batches
                })
                release()
                for ((count, result), types) in zip(zip(received, results), types) {
                    if !result.repeated { summary.tally(received: types, result.outcomes) }
                    summary.received += count
                    summary.applied += result.count(.applied) + result.count(.merged)
                    summary.conflicts += result.count(.conflict) + result.count(.divergence)
                    summary.quarantined += result.count(.rejected)
                }
                progress?("\(peer.name): received \(summary.received) records")
            }
        } catch {
            queue.cancel()
            throw error
        }
    }

    /// The record type a line refused on arrival names, when it names a known one.
    public static func type(of rejected: IncomingBatch.Rejected) -> String {
        StandardCatalog.countedType((try? JSONParser.parse(Array(rejected.text.utf8)))?["type"]?.stringValue)
    }

    /// Batches after `position` into `queue`, request after request, until one
    /// brings nothing new. Only a batch that moves past the last one queued is
    /// queued: a retried request sends again what its first attempt did.
    func receive(from position: (epoch: String, sequence: Int64)?, into queue: BatchQueue<BatchDecoder.Received>) throws {
        var last = position
        var partial = false
        while !partial {
            let since = last.map { "\($0.epoch):\($0.sequence)" } ?? ""
            var moved = false
            let reader = BatchReader(catalog: catalog)
            var stream: BatchStreamDownload?
            do {
                let r = try client.request("GET", PeerAPI.changesRequest(since: since, limit: batchSize, batches: batchesPerRequest), download: {
                    let s = BatchStreamDownload(makeDecoder: {
                        reader.decoder(from: self.peer.name, key: self.peer.signingKey, maxRecords: self.batchSize, stopsAtEnd: true, bodies: false)
                    }, received: { batch in
                        let (h, end) = (batch.header, batch.end)
                        guard last == nil || last!.epoch != h.epoch || end.seqTo > last!.sequence else { return }
                        last = (h.epoch, end.seqTo)
                        moved = true
                        partial = end.partial
                        try queue.put(batch)
                    })
                    stream = s
                    return s
                }, stop: { queue.isCancelled })
                if r.status != 200 { _ = try Self.answer(r, from: peer.name) }
                try stream!.finish()
            } catch let error as BatchRefusal {
                try store.audit(kind: .batchRefused, detail: "from \(peer.name) (pull): \(error.description)")
                throw SyncError("\(peer.name) sent a batch that was refused: \(error.description)")
            }
            if !moved { break }
        }
    }

    /// The JSON answer of a 2xx, or the peer's error message.
    public static func answer(_ r: PeerClient.Response, from peer: String) throws -> JSONValue {
        let value = try? JSONParser.parse(r.body)
        guard (200..<300).contains(r.status) else {
            let message = value?[PeerAPI.Key.error]?[PeerAPI.Key.message]?.stringValue ?? String(decoding: r.body.prefix(300), as: UTF8.self)
            let code = value?[PeerAPI.Key.error]?[PeerAPI.Key.code]?.stringValue.map { " \($0)" } ?? ""
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
