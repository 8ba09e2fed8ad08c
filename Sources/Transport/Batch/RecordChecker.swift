import Foundation
import Replication
import Standard
import Store
import JSON

/// Checks the record lines of one batch on a checking lane, in line order,
/// while the receiving thread goes on reading: each record parsed and checked
/// against the standard (`envelope.json` with its body's type), its content
/// hash, and what the peer may write here. Lines are handed over in small
/// chunks by the receiving thread, which says when it has added the last
/// (`finishAdding`); `results()` may then be asked from any thread.
final class RecordChecker: @unchecked Sendable {
    /// A record line; its bytes (kept as received: a rejected record is
    /// quarantined byte for byte) are `range` of its chunk's buffer.
    struct Line {
        let number: Int
        let range: Range<Int>
    }

    struct Checked {
        var versions: [Envelope] = []
        var rejected: [IncomingBatch.Rejected] = []
        var notGranted = 0
    }

    /// Each line against `envelope.json` (which checks the body against its type).
    let gate: RecordGate
    let catalog: StandardCatalog
    let peer: String
    let batchID: String
    /// False: versions keep their bodies as text only (see `BatchReader.decoder`).
    let bodies: Bool
    let allowed: (@Sendable (String, JSONValue) -> Bool)?
    /// The lane this batch's checks run on, in line order. Batches share a
    /// few lanes, one per core, rather than a thread each: a pull with many
    /// pages in flight would otherwise run a thread per page, all contending
    /// with the thread that applies them.
    private let lane = RecordChecker.nextLane()
    /// Chunks handed over and not yet checked.
    private let pending = DispatchGroup()
    /// Lines not yet handed over and their bytes, one buffer for the chunk:
    /// a buffer per line (over 1 KB each) makes glibc's allocator consolidate
    /// its free lists for every record. The receiving thread's alone.
    private var chunk: [Line] = []
    private var chunkBytes: [UInt8] = []
    /// Touched only on `lane`, then read once `pending` is empty.
    private var checked = Checked()
    static let chunkSize = 32

    private static let lanes = (0..<max(1, ProcessInfo.processInfo.activeProcessorCount)).map {
        CheckingLane(name: "hutong.check.\($0)")
    }
    private static let laneLock = NSLock()
    nonisolated(unsafe) private static var batches = 0

    private static func nextLane() -> CheckingLane {
        laneLock.lock()
        defer { laneLock.unlock() }
        batches += 1
        return lanes[batches % lanes.count]
    }

    init(catalog: StandardCatalog, peer: String, batchID: String, bodies: Bool = true, allowed: (@Sendable (String, JSONValue) -> Bool)?) {
        self.catalog = catalog; self.gate = RecordGate(catalog: catalog, schema: "envelope")!; self.peer = peer; self.batchID = batchID; self.bodies = bodies; self.allowed = allowed
    }

    func add(number: Int, bytes: UnsafeRawBufferPointer) {
        if chunkBytes.capacity == 0 { chunkBytes.reserveCapacity(Self.chunkSize * 2048) }
        let start = chunkBytes.count
        chunkBytes.append(contentsOf: bytes)
        chunk.append(Line(number: number, range: start..<chunkBytes.count))
        if chunk.count == Self.chunkSize { handOver() }
    }

    /// Hands over the lines still held; no more are added after it.
    func finishAdding() { handOver() }

    /// Every line's outcome, once the checks of all lines added are done;
    /// handed over (asked once), so the caller holds the only copy.
    func results() -> Checked {
        pending.wait()
        defer { checked = Checked() }
        return checked
    }

    /// Lets `value` go on this batch's lane, after the checks queued there:
    /// what a lane allocated is best freed by it (glibc returns memory to the
    /// arena of the thread that allocated it, under that arena's lock), and
    /// the applying thread, the slowest stage of a pull, is spared the work.
    func release(_ value: consuming IncomingBatch) {
        let held = value
        lane.async { withExtendedLifetime(held) {} }
    }

    private func handOver() {
        guard !chunk.isEmpty else { return }
        let lines = chunk, bytes = chunkBytes
        chunk = []
        chunkBytes = []
        pending.enter()
        lane.async {
            // One tape for the chunk: parsing into it reuses its buffers.
            var tape = JSONTape()
            bytes.withUnsafeBufferPointer { b in for l in lines { self.check(l, UnsafeBufferPointer(rebasing: b[l.range]), &tape) } }
            self.pending.leave()
        }
    }

    /// Peers send bodies in canonical form (the stored text), so hashing the
    /// body's bytes as they came is most often the whole hash check, and those
    /// bytes are the text to store; otherwise the parsed body is canonicalised.
    static func hashedAsSent(_ e: inout Envelope, tape: JSONTape) -> Bool {
        guard let raw = tape.memberText("body"),
              raw.withUnsafeBufferPointer({ ContentHash.of(canonicalText: $0) }) == e.hash else { return false }
        // Read without a parsed body, the envelope holds this text already.
        if !e.hasBodyText { e.setBodyText(utf8: Array(raw)) }
        return true
    }

    private func check(_ l: Line, _ bytes: UnsafeBufferPointer<UInt8>, _ tape: inout JSONTape) {
        func reject(_ why: String) {
            checked.rejected.append(.init(text: String(decoding: bytes, as: UTF8.self), reason: "batch \(batchID) from \(peer), line \(l.number): \(why)"))
        }
        do { try tape.parse(bytes) } catch { return reject("not JSON: \(error)") }
        var e: Envelope
        // A tree of the body only where something reads it: the grant check, or a caller that wants it.
        do { e = try Envelope(tape: tape, parsedBody: bodies || allowed != nil) } catch { return reject(error.description) }
        if !e.masked.isEmpty {
            // Only personal fields may be masked, each holding masked text; the rest is checked as usual.
            if case .null = e.body, let text = tape.memberText("body") {
                e.body = tape.member("body") ?? .null
                e.setBodyText(utf8: Array(text))
            }
            guard let rt = catalog.recordTypes[e.type] else { return reject("record \(e.id): unknown record type \"\(e.type)\"") }
            if let why = rt.maskingProblem(e.masked, body: e.body) { return reject("record \(e.id): \(why)") }
        }
        // A masked value no longer matches its field's format; the signature vouches for it.
        let verdict = gate.check(tape, ignoring: e.masked.isEmpty ? [] : Set(e.masked.map { "/body" + $0 }))
        if !verdict.isAcceptable { return reject("record \(e.id): " + verdict.reason(limit: 3)) }
        if e.masked.isEmpty, !Self.hashedAsSent(&e, tape: tape) {
            if case .null = e.body { e.body = tape.member("body") ?? .null }
            if !e.verifyHash() { return reject("record \(e.id): its hash does not match its body") }
        }
        if let allowed, !allowed(e.type, e.body) {
            checked.notGranted += 1
            return reject("record \(e.id): \(peer) may not write \(e.type) records here (not in its push grant)")
        }
        if !bodies { e.dropParsedBody() }
        checked.versions.append(e)
    }
}
