import Crypto
import Foundation
import Replication
import Standard
import Store
import JSON

/// Reads a bundle file as its bytes come (inflated): the header line first —
/// its signature checked against the sender's pinned key and its address
/// against this node, before anything is applied — then each batch, checked
/// as a pushed batch would be (its own signature, the standard, what the
/// sender may write here) and handed on as soon as it is whole, then the end
/// line, which must cover exactly the batches that came.
public final class BundleReader {
    /// This node's id: a bundle addressed to another node is refused.
    let me: String
    let batches: BatchReader
    /// The configured peer a bundle says it is from, or nil.
    let sender: (String) -> PeerEntry?
    /// A whole batch, checked; applied by the caller before the next is read.
    let received: (BundleHeader, BatchDecoder.Decoded) throws -> Void

    public private(set) var header: BundleHeader?
    public private(set) var end: BundleEnd?
    public private(set) var peer: PeerEntry?
    private var headerSignature = ""
    private var state = State.header
    private var pending: [UInt8] = []
    private var content = SHA256()
    private var count = (batches: 0, records: 0)
    /// Where the last batch ended in the sender's log (the next must start there).
    private var reached: Int64 = 0
    private var lineNumber = 0

    private enum State {
        case header, between, batch(BatchDecoder), ended
    }

    public init(me: String, catalog: StandardCatalog, sender: @escaping (String) -> PeerEntry?,
                received: @escaping (BundleHeader, BatchDecoder.Decoded) throws -> Void) {
        self.me = me; self.sender = sender; self.received = received
        // A bundle may wait days on a transfer device: its batches' age is no
        // sign of a replay here (a replayed batch id changes nothing).
        batches = BatchReader(catalog: catalog, maxAge: .infinity)
    }

    /// Longest header, end or batch-header line read whole.
    static let maxLine = 4 << 20

    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            if case .batch(let decoder) = state {
                let used = try decoder.feed(rest)
                content.update(bufferPointer: UnsafeRawBufferPointer(rebasing: rest[..<used]))
                rest = UnsafeRawBufferPointer(rebasing: rest[used...])
                if decoder.hasEnded { try batchEnded(decoder) }
                continue
            }
            guard let newline = rest.firstIndex(of: 0x0A) else {
                pending.append(contentsOf: rest)
                guard pending.count <= Self.maxLine else { throw refusal("line \(lineNumber + 1) is longer than \(Self.maxLine) bytes") }
                return
            }
            pending.append(contentsOf: rest[...newline])
            rest = UnsafeRawBufferPointer(rebasing: rest[(newline + 1)...])
            let line = pending
            pending = []
            lineNumber += 1
            try take(line)
        }
    }

    /// The whole file was read: refused when it stopped before its end line.
    public func finish() throws {
        if !pending.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x0A }) { lineNumber += 1; try take(pending + [0x0A]) }
        switch state {
        case .ended: return
        case .header: throw refusal("the file is empty")
        case .between, .batch:
            throw refusal("it stops after \(count.batches) batches without its end line: it was cut short in transfer; what arrived was applied, and applying the whole file again completes it")
        }
    }

    private func take(_ line: [UInt8]) throws {
        switch state {
        case .header:
            guard let value = try? JSONParser.parse(line) else { throw refusal("its first line is not JSON: not a Hutong bundle") }
            guard let h = BundleHeader(line: value) else { throw refusal("its first line is not a bundle header: not a Hutong bundle (or one of a later format)") }
            guard h.from != me else { throw refusal("it was written by this node itself, for \(h.to); give it to \(h.to)") }
            guard let p = sender(h.from) else {
                throw refusal("it says it is from \(h.from), which is no peer configured here; add it with `hutong peers add` (its signing key pinned) first")
            }
            guard h.verify(value, key: p.signingKey) else {
                throw refusal("its header's signature does not verify against \(h.from)'s signing key configured here: forged or altered (or \(h.from)'s key changed: compare `hutong keys show` there)")
            }
            guard h.to == me else {
                throw refusal("it is addressed to \(h.to), not to this node (\(me)); nothing of it was applied. Give it to \(h.to)")
            }
            header = h
            peer = p
            headerSignature = value["signature"]?.stringValue ?? ""
            reached = h.seqFrom
            state = .between
        case .between:
            if line.first == UInt8(ascii: "{"), let value = try? JSONParser.parse(line), let e = BundleEnd(line: value) {
                try ended(e, value)
                return
            }
            guard let p = peer else { return }
            let grants = p.grants
            let decoder = batches.decoder(from: p.name, key: p.signingKey, maxRecords: PeerServer.batchSizes.upperBound,
                                          stopsAtEnd: true, bodies: false) { type, body in grants.allowsPush(type: type, body: body) }
            state = .batch(decoder)
            content.update(data: line)
            try line.withUnsafeBytes { b in _ = try decoder.feed(b) }
            if decoder.hasEnded { try batchEnded(decoder) }
        case .batch:
            break
        case .ended:
            guard line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x0A }) else { throw refusal("line \(lineNumber) follows the bundle's end line: the file was altered") }
        }
    }

    private func batchEnded(_ decoder: BatchDecoder) throws {
        state = .between
        let batch: BatchDecoder.Decoded
        do { batch = try decoder.finish() } catch { throw refusal("batch \(count.batches + 1): \(error)") }
        guard let h = header else { return }
        guard batch.header.epoch == h.epoch, batch.header.seqFrom == reached else {
            throw refusal("batch \(count.batches + 1) covers \(batch.header.epoch):\(batch.header.seqFrom)… where the bundle is at \(h.epoch):\(reached): the file was altered")
        }
        count.batches += 1
        count.records += batch.end.count
        reached = batch.end.seqTo
        try received(h, batch)
    }

    private func ended(_ e: BundleEnd, _ value: JSONValue) throws {
        guard let h = header, let p = peer else { return }
        guard e.bundleID == h.bundleID, e.verify(value, key: p.signingKey, headerSignature: headerSignature) else {
            throw refusal("its end line's signature does not verify: forged or altered")
        }
        let hash = ContentHash.hex(content.finalize())
        guard e.contentHash == hash, e.batches == count.batches, e.records == count.records, e.seqTo == reached else {
            throw refusal("its content differs from what its end line signs (\(e.batches) batches of \(e.records) records to sequence \(e.seqTo); found \(count.batches) of \(count.records) to \(reached)): altered")
        }
        end = e
        state = .ended
    }

    private func refusal(_ why: String) -> BundleError { BundleError(why) }
}
