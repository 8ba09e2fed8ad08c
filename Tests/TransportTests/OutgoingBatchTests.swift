import Foundation
import Replication
import Standard
import Store
import Testing
@testable import Transport

/// A batch read from a real store while it is written out.
@Suite struct OutgoingBatchTests {
    typealias F = TransportFixtures

    func store(records: Int) throws -> SQLiteNodeStore {
        let path = NSTemporaryDirectory() + "hutong-outgoing-\(UUID().uuidString).sqlite"
        let s = try SQLiteNodeStore.create(path: path, nodeID: "node-a", catalog: F.catalog)
        var g = try SampleGenerator(type: "penalty", seed: 4)
        _ = try s.write((0..<records).map { _ in (type: "penalty", body: g.next().record) })
        return s
    }

    /// Comes out in many pieces, reads back as exactly the log, and stops at its limit.
    @Test func piecesReadBackAsTheLog() throws {
        let s = try store(records: 1_000)
        let key = NodeKey.generate()
        let batch = OutgoingBatch(store: s, key: key, schemaVersion: F.catalog.version, peer: "node-b", since: 0, limit: 700,
                                  pieceSize: 100, selection: .filtered { $0 })
        let decoder = BatchReader(catalog: F.catalog).decoder(from: "node-a", key: try PeerKey(base64: key.publicKeyBase64))
        let inflater = Inflater(limit: 64 << 20)
        var pieces = 0
        while let piece = try batch.next() {
            pieces += 1
            try piece.withUnsafeBytes { b in try inflater.feed(b) { try decoder.feed(UnsafeRawBufferPointer($0)) } }
        }
        try inflater.finish()
        let read = try decoder.finish()
        let log = try s.changes(since: 0, excludingPeer: nil, limit: 700)
        #expect(pieces >= 7, "the batch was not streamed: \(pieces) pieces")
        #expect(read.versions == log.versions && read.end == BatchEnd(count: 700, seqTo: log.lastSequence))
        #expect(!batch.reachedEnd && batch.cursor == log.lastSequence)
        // The rest of the log, then the end of it.
        let rest = OutgoingBatch(store: s, key: key, schemaVersion: F.catalog.version, peer: "node-b", since: batch.cursor, limit: 700, selection: .asStored { _ in true })
        while try rest.next() != nil {}
        #expect(rest.count == 300 && rest.reachedEnd)
    }

    /// Records the peer may not have are left out, and the range still moves past them.
    @Test func filteredRecordsAreLeftOutButPassed() throws {
        let s = try store(records: 50)
        for selection in [OutgoingBatch.Selection.filtered { _ in nil }, .asStored { $0 != "penalty" }] {
            let batch = OutgoingBatch(store: s, key: .generate(), schemaVersion: F.catalog.version, peer: "node-b", since: 0, limit: 1_000, selection: selection)
            #expect(try !batch.hasRecords())
            #expect(batch.reachedEnd && batch.cursor == 50)
        }
    }

    /// A peer whose grant needs no body read (personal information, every
    /// region) gets the stored text as is, never parsed: the same bytes as a
    /// batch made from parsed bodies, and the receiver reads the same versions.
    @Test func storedTextIsSentWithoutParsingBodies() throws {
        let s = try store(records: 300)
        let bare = try s.changes(since: 0, excludingPeer: nil, limit: 300, bodies: false)
        let parsed = try s.changes(since: 0, excludingPeer: nil, limit: 300)
        #expect(bare.versions.allSatisfy { $0.body == .null && $0.bodyText != nil })
        #expect(bare.versions.map(\.line) == parsed.versions.map(\.line))
        let key = NodeKey.generate()
        func bytes(bodies: Bool) throws -> [UInt8] {
            let b = OutgoingBatch(store: s, key: key, schemaVersion: F.catalog.version, peer: "node-b", since: 0, limit: 300,
                                  selection: bodies ? .filtered { $0 } : .asStored { _ in true })
            var out: [UInt8] = []
            while let piece = try b.next() { out += piece }
            return try Gzip.decompress(out, limit: 64 << 20)
        }
        let withoutBodies = try bytes(bodies: false), withBodies = try bytes(bodies: true)
        // Record lines alike byte for byte; header and end differ only in batch id, time and signature.
        let lines = { (b: [UInt8]) in b.split(separator: 0x0A).dropFirst().dropLast().map(Array.init) }
        #expect(lines(withoutBodies) == lines(withBodies) && lines(withBodies).count == 300)
        let read = try BatchReader(catalog: F.catalog).read(withoutBodies, from: "node-a", key: try PeerKey(base64: key.publicKeyBase64))
        #expect(read.versions == parsed.versions && read.rejected.isEmpty)
    }

    /// Batches back to back in one gzip stream, as a pull answer of several
    /// batches is written: each is handed on once its end line verified, in
    /// whatever pieces the bytes come; a stream cut inside a batch keeps the
    /// ones before it and refuses the rest.
    @Test func batchesBackToBackInOneStream() throws {
        let s = try store(records: 250)
        let key = NodeKey.generate()
        let deflater = Deflater()
        var gz: [UInt8] = []
        var since: Int64 = 0
        var cursors: [Int64] = []
        for _ in 0..<3 {
            let b = OutgoingBatch(store: s, key: key, schemaVersion: F.catalog.version, peer: "node-b", since: since, limit: 100, deflater: deflater, selection: .asStored { _ in true })
            while let piece = try b.next() { gz += piece }
            cursors.append(b.cursor)
            since = b.cursor
        }
        gz += deflater.finish()
        let bytes = try Gzip.decompress(gz, limit: 64 << 20)
        let peerKey = try PeerKey(base64: key.publicKeyBase64)
        func read(_ bytes: [UInt8]) throws -> (batches: [BatchDecoder.Received], error: (any Error)?) {
            var batches: [BatchDecoder.Received] = []
            let stream = BatchStreamDownload(makeDecoder: {
                BatchReader(catalog: F.catalog).decoder(from: "node-a", key: peerKey, stopsAtEnd: true)
            }, received: { batches.append($0) })
            var rng = SystemRandomNumberGenerator()
            var i = 0
            do {
                while i < bytes.count {
                    let n = Int.random(in: 1...5_000, using: &rng)
                    try bytes[i..<min(bytes.count, i + n)].withUnsafeBytes { try stream.write($0) }
                    i += n
                }
                try stream.finish()
            } catch { return (batches, error) }
            return (batches, nil)
        }
        let whole = try read(bytes)
        #expect(whole.error == nil)
        #expect(whole.batches.map(\.end.seqTo) == cursors && whole.batches.map { $0.records().versions.count } == [100, 100, 50])
        #expect(Set(whole.batches.map(\.header.batchID)).count == 3)
        // Cut inside the third batch: two batches stand, the third is refused.
        let cut = try read(Array(bytes.prefix(bytes.count - 2_000)))
        #expect(cut.batches.count == 2 && cut.error is BatchRefusal)
    }
}
