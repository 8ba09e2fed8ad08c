import Foundation
import JSON
import Store
import Transport

extension Node {
    /// Writes what `peer` has not acknowledged and may pull as a bundle file
    /// (or parts of at most `maxBytes`), for a link that carries files only.
    /// Nothing is written when it lacks nothing.
    /// - Throws: `NodeError` for an unknown peer or an unreadable key; `BundleError` for a file that cannot be written.
    public func createBundle(forPeer name: String, to path: String, maxBytes: Int? = nil, stop: () -> Bool = { false }) throws -> [BundleWriter.Part] {
        let p = try peer(named: name)
        let key = try signingKey()
        let start = try BundleCursor.start(store, epoch: store.epoch, peer: p)
        let parts = try BundleWriter(store: store, key: key, catalog: catalog, peer: p, maxBytes: maxBytes).write(to: path, since: start, stop: stop)
        for part in parts {
            try store.audit(kind: .bundleCreated, detail: "for \(p.name): \(part.path), bundle \(part.header.bundleID) part \(part.header.part), "
                            + "\(part.end.records) records, sequence \(part.header.seqFrom + 1)...\(part.end.seqTo)")
        }
        return parts
    }

    /// The kind of file `bundle apply` was given, by its first bytes: a bundle is gzip.
    public static func isBundle(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 2)) == Data([0x1F, 0x8B])
    }

    /// Applies a bundle file, a batch per transaction as it is read. The
    /// header is checked before anything is applied (signed by a configured
    /// peer, addressed to this node); each batch as a pushed one would be
    /// (its signature, the standard, the sender's push grant here); the end
    /// line last (nothing removed, added or altered). This node's cursor for
    /// the sender moves only over a stretch it then holds without a gap, so
    /// bundles may arrive in any order, twice, or cumulatively. With
    /// `acknowledgeInto`, a signed acknowledgement for the sender is written there.
    /// `stop`: asked between batches; true abandons the file there (a daemon that is stopping).
    public func applyBundle(_ path: String, acknowledgeInto folder: String? = nil, stop: @escaping () -> Bool = { false }) -> BundleApplied {
        var result = BundleApplied(file: path)
        var holds: PeerCursor?
        var holdsRead = false
        let reader = BundleReader(me: configuration.nodeID, catalog: catalog, sender: { try? self.peer(named: $0) }) { header, batch in
            if stop() {
                result.stopped = true
                throw BundleError("abandoned after \(result.batches) batches: this node is stopping; the file is applied whole when given again")
            }
            if !holdsRead {
                holds = try self.store.cursor(peer: header.from, direction: .pull)
                holdsRead = true
            }
            // Contiguous with what is held (or the start of a new epoch of the sender's log): the cursor moves.
            let sameEpoch = holds?.epoch == header.epoch
            let contiguous = sameEpoch ? batch.header.seqFrom <= holds!.sequence : batch.header.seqFrom == 0
            let reaches = batch.end.seqTo > (sameEpoch ? holds!.sequence : -1)
            let next = contiguous && reaches && !batch.end.partial
                ? PeerCursor(peer: header.from, direction: .pull, epoch: header.epoch, sequence: batch.end.seqTo) : nil
            let r = try self.store.apply(IncomingBatch(peer: header.from, batchID: batch.header.batchID, versions: batch.versions,
                                                       rejected: batch.rejected, cursor: next))
            if let next { holds = next }
            result.batches += 1
            result.records += batch.versions.count + batch.rejected.count
            if r.repeated {
                result.repeatedBatches += 1
            } else {
                result.stored += r.count(.applied) + r.count(.merged)
                result.conflicts += r.count(.conflict) + r.count(.divergence)
                result.quarantined += r.count(.rejected)
                result.alreadyHad += r.count(.alreadyHad)
            }
        }
        do {
            guard let file = FileHandle(forReadingAtPath: path) else { throw BundleError("cannot be read (check the path and its permissions)") }
            defer { try? file.close() }
            let inflater = Inflater(limit: .max)
            while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty {
                do {
                    try chunk.withUnsafeBytes { b in try inflater.feed(b) { try reader.feed(UnsafeRawBufferPointer($0)) } }
                } catch let e as GzipError {
                    throw BundleError("its compressed data is broken (\(e)): damaged in transfer; ask for it again")
                }
            }
            do { try inflater.finish() } catch {
                throw BundleError("its compressed data stops early: cut short in transfer; what arrived was applied, and applying the whole file again completes it")
            }
            try reader.finish()
        } catch {
            result.refused = "\(error)"
        }
        result.header = reader.header
        if let h = reader.header {
            result.holds = holds.flatMap { $0.epoch == h.epoch ? ($0.epoch, $0.sequence) : nil }
        }
        let name = (path as NSString).lastPathComponent
        let from = reader.header.map { "from \($0.from) " } ?? ""
        // For `hutong status`: a file applied from a peer is its "last sync", a refused one its last error.
        if let h = reader.header, configuration.peer(named: h.from) != nil, !result.stopped {
            try? store.noteSync(peer: h.from, error: result.refused.map { "\(name): \($0)" })
        }
        if result.stopped {
            try? store.audit(kind: .bundleApplied, detail: "\(from)\(name): \(result.refused ?? "")")
        } else if let why = result.refused {
            try? store.audit(kind: .bundleRefused, detail: "\(from)\(name): \(why)" + (result.batches > 0 ? " (\(result.batches) batches applied before that)" : ""))
        } else if result.wasAppliedBefore {
            try? store.audit(kind: .bundleRefused, detail: "\(from)\(name): bundle \(reader.header?.bundleID ?? "") was applied before; nothing changed")
        } else if let h = reader.header, let e = reader.end {
            try? store.audit(kind: .bundleApplied, detail: "\(from)\(name): bundle \(h.bundleID) part \(h.part), sequence \(h.seqFrom + 1)...\(e.seqTo), "
                             + "\(result.records) records: \(result.stored) stored, \(result.alreadyHad) already here, \(result.conflicts) conflicts, \(result.quarantined) quarantined")
        }
        if let folder, let h = reader.header, let held = result.holds {
            do {
                result.acknowledgement = try writeAcknowledgement(Acknowledgement(from: configuration.nodeID, to: h.from, epoch: held.epoch, sequence: held.sequence,
                                                                                  bundleID: h.bundleID), into: folder)
            } catch {
                result.refused = result.refused ?? "applied, but the acknowledgement could not be written: \(error)"
            }
        }
        return result
    }

    /// Writes `ack` signed into `folder` (under a temporary name first, so a transfer device never takes half of it).
    func writeAcknowledgement(_ ack: Acknowledgement, into folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent("ack-\(ack.from)-to-\(ack.to)-\(ack.sequence).json")
        let text = try ack.text(signedBy: try signingKey())
        let temporary = path + ".tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
        return path
    }

    /// Applies a peer's acknowledgement of our bundles: checked against its
    /// pinned key and our address; our push cursor for it moves forward to
    /// the point acknowledged (never back, and never past our log's end).
    public func applyAcknowledgement(_ path: String) -> AcknowledgementApplied {
        var result = AcknowledgementApplied(file: path)
        let name = (path as NSString).lastPathComponent
        do {
            guard let data = FileManager.default.contents(atPath: path) else { throw BundleError("cannot be read (check the path and its permissions)") }
            guard data.count <= 64 << 10, let value = try? JSONParser.parse(Array(data)), let ack = Acknowledgement(line: value) else {
                throw BundleError("is neither a bundle (gzip) nor an acknowledgement (one JSON line): not a Hutong file, or damaged")
            }
            result.acknowledgement = ack
            guard let p = configuration.peer(named: ack.from) else {
                throw BundleError("says it is from \(ack.from), which is no peer configured here")
            }
            guard ack.verify(value, key: p.signingKey) else {
                throw BundleError("its signature does not verify against \(ack.from)'s signing key configured here: forged or altered")
            }
            guard ack.to == configuration.nodeID else {
                throw BundleError("acknowledges bundles of \(ack.to), not of this node (\(configuration.nodeID)); give it to \(ack.to)")
            }
            guard ack.epoch == store.epoch else {
                result.alreadyKnown = true
                try store.audit(kind: .bundleAcknowledged, detail: "from \(ack.from) \(name): for an earlier epoch (\(ack.epoch)) of this node's log; nothing moved")
                return result
            }
            let last = try store.lastSequence()
            guard ack.sequence <= last else {
                throw BundleError("acknowledges sequence \(ack.sequence), beyond the end of this node's log (\(last)): not from bundles of this store")
            }
            // For `hutong status`: the peer's word back, and how far it holds our log.
            try store.noteCall(peer: p.name, pulledTo: ack.sequence)
            if let c = try store.cursor(peer: p.name, direction: .push), c.epoch == store.epoch, c.sequence >= ack.sequence {
                result.alreadyKnown = true
                result.cursor = c.sequence
                return result
            }
            try store.setCursor(BundleCursor.acknowledged(peer: p, epoch: store.epoch, sequence: ack.sequence))
            result.cursor = ack.sequence
            try store.audit(kind: .bundleAcknowledged, detail: "from \(ack.from) \(name): holds this node's log up to \(ack.sequence) (bundle \(ack.bundleID))")
        } catch {
            result.refused = "\(error)"
            try? store.audit(kind: .bundleRefused, detail: "acknowledgement \(name): \(error)")
        }
        return result
    }
}
