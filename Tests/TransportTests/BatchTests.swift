import Foundation
import HutongTesting
import Replication
import Standard
import Store
import Testing
@testable import Transport
import JSON

@Suite struct BatchTests {
    typealias F = TransportFixtures
    let key = NodeKey.generate()
    var peerKey: PeerKey { try! PeerKey(base64: key.publicKeyBase64) }

    @Test func aSignedBatchReadsBackWhole() throws {
        let sent = try F.envelopes("penalty", 20)
        let bytes = try F.encode(sent, key: key)
        let read = try BatchReader(catalog: F.catalog).read(bytes, from: "node-a", key: peerKey)
        #expect(read.versions == sent && read.rejected.isEmpty && read.end == BatchEnd(count: 20, seqTo: 20))
        // The canonical text its hash came from is kept for storing.
        #expect(read.versions.allSatisfy { $0.bodyText != nil })
    }

    /// A body sent in canonical form is hashed as it came; one sent in another
    /// form (members reordered, spaces) is canonicalised and still accepted,
    /// and either way the text kept for storing is the canonical one.
    func tape(_ line: String) throws -> JSONTape {
        try Array(line.utf8).withUnsafeBufferPointer { try JSONTape(parsing: $0) }
    }

    @Test func bodiesInCanonicalOrOtherFormAreChecked() throws {
        let sent = try F.envelopes("penalty", 6)
        var canonical = sent[0]
        #expect(RecordChecker.hashedAsSent(&canonical, tape: try tape(sent[0].line)))
        #expect(canonical.bodyText == CanonicalJSON.string(sent[0].body))
        // Reordered and spaced: not canonical, so the fast check declines.
        let body = sent[1].body.objectValue!
        let reordered = "{" + body.keys.reversed().map { "\"\($0)\" : " + JSONWriter.string(body[$0]!) }.joined(separator: " , ") + "}"
        var other = sent[1]
        other.bodyText = reordered
        #expect(!RecordChecker.hashedAsSent(&other, tape: try tape(other.line)))
        let bytes = try F.encode([sent[0], other] + sent[2...], key: key)
        let read = try BatchReader(catalog: F.catalog).read(bytes, from: "node-a", key: peerKey)
        #expect(read.rejected.isEmpty && read.versions.count == 6, "\(read.rejected)")
        #expect(read.versions[1].bodyText == CanonicalJSON.string(sent[1].body) && read.versions[1] == sent[1])
        // Read for a store, the parsed bodies are let go and the same canonical text kept.
        let forStore = try BatchReader(catalog: F.catalog).read(bytes, from: "node-a", key: peerKey, bodies: false)
        #expect(forStore.versions.allSatisfy { $0.body == .null })
        #expect(forStore.versions.map(\.bodyText) == read.versions.map(\.bodyText))
        #expect(forStore.versions.map(\.line) == read.versions.map(\.line))
    }

    @Test func anyChangedByteBreaksTheSignature() throws {
        let bytes = try F.encode(try F.envelopes("penalty", 5), key: key)
        let reader = BatchReader(catalog: F.catalog)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var tampered = bytes
            // Anywhere after the header's opening: header fields or record lines.
            let i = Int.random(in: 10..<bytes.count, using: &rng)
            guard tampered[i] != 0x0A else { continue }
            tampered[i] = tampered[i] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
            #expect(throws: BatchRefusal.self) { _ = try reader.read(tampered, from: "node-a", key: peerKey) }
        }
        #expect(throws: BatchRefusal.badSignature) { _ = try reader.read(bytes, from: "node-a", key: try PeerKey(base64: NodeKey.generate().publicKeyBase64)) }
    }

    @Test func unsignedStaleAndMisaddressedBatchesAreRefused() throws {
        let reader = BatchReader(catalog: F.catalog, maxAge: 600)
        let envelopes = try F.envelopes("penalty", 2)
        let unsigned = try F.encode(envelopes, key: nil)
        #expect(throws: BatchRefusal.unsigned) { _ = try reader.read(unsigned, from: "node-a", key: peerKey) }
        let old = try F.encode(envelopes, header: F.header(created: Date().addingTimeInterval(-700)), key: key)
        #expect(throws: BatchRefusal.self) { _ = try reader.read(old, from: "node-a", key: peerKey) }
        let other = try F.encode(envelopes, header: F.header(node: "node-x"), key: key)
        #expect(throws: BatchRefusal.wrongNode(header: "node-x", peer: "node-a")) { _ = try reader.read(other, from: "node-a", key: peerKey) }
        #expect(throws: BatchRefusal.self) { _ = try reader.read(Array("no header".utf8), from: "node-a", key: peerKey) }
    }

    @Test func badRecordsAreRejectedOneByOneWithTheirReason() throws {
        var envelopes = try F.envelopes("penalty", 4)
        envelopes[1].hash = String(repeating: "0", count: 64)                // altered: hash no longer matches
        var broken = envelopes[2].body.objectValue!
        broken["decision_date"] = "2023年5月1日"                             // against the standard
        envelopes[2].body = .object(broken)
        envelopes[2].hash = ContentHash.of(envelopes[2].body)
        let bytes = try F.encode(envelopes, key: key)
        let read = try BatchReader(catalog: F.catalog).read(bytes, from: "node-a", key: peerKey) { type, _ in type == "penalty" }
        #expect(read.versions.map(\.id) == [envelopes[0].id, envelopes[3].id])
        #expect(read.rejected.count == 2)
        #expect(read.rejected[0].reason.contains("line 3") && read.rejected[0].reason.contains("hash does not match"))
        #expect(read.rejected[1].reason.contains("line 4") && read.rejected[1].reason.contains("decision_date"))
        // Not in the push grant.
        let denied = try BatchReader(catalog: F.catalog).read(bytes, from: "node-a", key: peerKey) { _, _ in false }
        #expect(denied.versions.isEmpty && denied.rejected.count == 4)
        #expect(denied.rejected[0].reason.contains("may not write penalty records"))
    }

    /// Over several chunks of checked lines, and whatever pieces the bytes come
    /// in, a rejected record is kept byte for byte as it was sent, with its line.
    @Test func rejectedRecordsAreKeptAsSentAcrossChunks() throws {
        var envelopes = try F.envelopes("penalty", 3 * RecordChecker.chunkSize + 5)
        let bad = [5, RecordChecker.chunkSize + 8, envelopes.count - 1]
        for i in bad { envelopes[i].hash = String(repeating: "0", count: 64) }
        let bytes = try F.encode(envelopes, key: key)
        var rng = SystemRandomNumberGenerator()
        let d = BatchReader(catalog: F.catalog).decoder(from: "node-a", key: peerKey)
        var i = 0
        while i < bytes.count {
            let n = Int.random(in: 1...3_000, using: &rng)
            try bytes[i..<min(bytes.count, i + n)].withUnsafeBytes { try d.feed($0) }
            i += n
        }
        let read = try d.finish()
        #expect(read.versions.count == envelopes.count - bad.count)
        #expect(read.rejected.map(\.text) == bad.map { envelopes[$0].line })
        #expect(zip(read.rejected, bad).allSatisfy { r, i in r.reason.contains("line \(i + 2):") })
    }

    /// However the bytes are cut into pieces on the way, the batch reads the same.
    @Test func aBatchReadInPiecesReadsTheSame() throws {
        let sent = try F.envelopes("penalty", 30)
        let bytes = try F.encode(sent, key: key)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<10 {
            let d = BatchReader(catalog: F.catalog).decoder(from: "node-a", key: peerKey)
            var i = 0
            while i < bytes.count {
                let n = Int.random(in: 1...700, using: &rng)
                try bytes[i..<min(i + n, bytes.count)].withUnsafeBytes { try d.feed($0) }
                i += n
            }
            let read = try d.finish()
            #expect(read.versions == sent && read.end.count == 30)
        }
    }

    /// Found by the batch fuzz target: a header time in lower case (which
    /// RFC 3339 allows) was unreadable, and refusing it as stale trapped on a
    /// reader whose age limit was beyond any integer.
    @Test func aHeaderTimeInLowerCaseIsReadAndNoAgeLimitTraps() throws {
        var h = F.header()
        h.createdAt = h.createdAt.lowercased()
        let bytes = try F.encode(try F.envelopes("penalty", 2), header: h, key: key)
        for maxAge in [600, TimeInterval.greatestFiniteMagnitude] {
            #expect(try BatchReader(catalog: F.catalog, maxAge: maxAge).read(bytes, from: "node-a", key: peerKey).versions.count == 2)
        }
        h.createdAt = "2024-05-30T08:00:00Z"
        let old = try F.encode(try F.envelopes("penalty", 2), header: h, key: key)
        #expect { _ = try BatchReader(catalog: F.catalog, maxAge: 600).read(old, from: "node-a", key: peerKey) } throws: { "\($0)".contains("stale") }
        #expect(try BatchReader(catalog: F.catalog, maxAge: 1e300).read(old, from: "node-a", key: peerKey).versions.count == 2)
    }

    @Test func aBatchCutShortOrWithExtraLinesIsRefused() throws {
        let bytes = try F.encode(try F.envelopes("penalty", 5), key: key)
        let reader = BatchReader(catalog: F.catalog)
        let lastLine = bytes.dropLast().lastIndex(of: 0x0A)! + 1
        #expect { _ = try reader.read(Array(bytes[..<lastLine]), from: "node-a", key: peerKey) } throws: { e in
            "\(e)".contains("without its end line")
        }
        #expect { _ = try reader.read(bytes + Array("{\"x\":1}\n".utf8), from: "node-a", key: peerKey) } throws: { e in
            "\(e)".contains("follows the end line")
        }
        // A record line taken out (and the signature made again, as a sender could): the count no longer matches.
        let firstRecord = bytes.firstIndex(of: 0x0A)! + 1
        let secondRecord = bytes[firstRecord...].firstIndex(of: 0x0A)! + 1
        var shortened = Array(bytes[..<firstRecord]) + Array(bytes[secondRecord...])
        #expect(throws: BatchRefusal.badSignature) { _ = try reader.read(shortened, from: "node-a", key: peerKey) }
        shortened = Array(bytes[..<firstRecord]) + Array(bytes[secondRecord..<lastLine]) + Array(#"{"batch_end":true,"count":5,"seq_to":5}"#.utf8)
        #expect(throws: BatchRefusal.unsigned) { _ = try reader.read(shortened, from: "node-a", key: peerKey) }
        let decoder = reader.decoder(from: "node-a", key: peerKey, maxRecords: 3)
        #expect { try bytes.withUnsafeBytes { try decoder.feed($0) } } throws: { e in "\(e)".contains("more than the 3 records a batch may hold") }
        // A blank line among the records refuses the batch at that line; a few may follow the end line, not a stream of them.
        let firstEnd = bytes.firstIndex(of: 0x0A)! + 1
        let blank = Array(bytes[..<firstEnd]) + [0x0A] + Array(bytes[firstEnd...])
        #expect { _ = try reader.read(blank, from: "node-a", key: peerKey) } throws: { e in "\(e)".contains("line 2 is blank") }
        #expect(try reader.read(bytes + [0x0A, 0x0A], from: "node-a", key: peerKey).versions.count == 5)
        #expect { _ = try reader.read(bytes + [UInt8](repeating: 0x0A, count: 1_000), from: "node-a", key: peerKey) } throws: { e in
            "\(e)".contains("follows the end line")
        }
    }

    @Test func gzipRoundTripsAndHoldsItsLimit() throws {
        let text = Array(String(repeating: "行政处罚决定书 ", count: 50_000).utf8)
        let packed = Gzip.compress(text)
        #expect(packed.count < text.count / 20)
        #expect(try Gzip.decompress(packed, limit: text.count) == text)
        #expect(throws: GzipError.tooLarge(1_000)) { _ = try Gzip.decompress(packed, limit: 1_000) }
        #expect(throws: GzipError.invalid) { _ = try Gzip.decompress(Array(packed.prefix(packed.count / 2)), limit: text.count) }
        #expect(throws: GzipError.invalid) { _ = try Gzip.decompress(Array("plain".utf8), limit: 100) }
        #expect(throws: GzipError.invalid) { _ = try Gzip.decompress(packed + Array("more".utf8), limit: text.count) }
        var corrupted = packed
        corrupted[corrupted.count - 6] ^= 0xFF  // the CRC-32 in the trailer
        #expect(throws: GzipError.invalid) { _ = try Gzip.decompress(corrupted, limit: text.count) }
        // In pieces, as a streamed body arrives.
        let inflater = Inflater(limit: text.count)
        var out: [UInt8] = []
        for start in stride(from: 0, to: packed.count, by: 97) {
            try packed[start..<min(start + 97, packed.count)].withUnsafeBytes { b in try inflater.feed(b) { out.append(contentsOf: $0) } }
        }
        try inflater.finish()
        #expect(out == text)
        let deflater = Deflater()
        var streamed: [UInt8] = []
        for start in stride(from: 0, to: text.count, by: 5_000) { streamed += deflater.compress(Array(text[start..<min(start + 5_000, text.count)])) }
        streamed += deflater.finish()
        #expect(try Gzip.decompress(streamed, limit: text.count) == text)
    }
}

extension BatchTests {
    /// Peers and operators' tools read batches with other gzip implementations
    /// (curl's zlib, `gzip -d`), and send them: both directions with gzip(1).
    @Test func gzipStreamsAreReadAndWrittenLikeGzipTools() throws {
        let text = Array((0..<20_000).map { "{\"line\":\($0),\"name\":\"成都市武侯区生态环境局\"}\n" }.joined().utf8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hutong-gzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func gzip(_ args: [String], _ input: URL) throws -> [UInt8] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "gzip \(args.joined(separator: " ")) < '\(input.path)'"]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let bytes = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            return Array(bytes)
        }
        let ours = dir.appendingPathComponent("ours.gz"), plain = dir.appendingPathComponent("plain")
        let deflater = Deflater()
        var streamed: [UInt8] = []
        for start in stride(from: 0, to: text.count, by: 65_536) { streamed += deflater.compress(Array(text[start..<min(start + 65_536, text.count)])) }
        streamed += deflater.finish()
        try Data(streamed).write(to: ours)
        #expect(try gzip(["-dc"], ours) == text)
        try Data(text).write(to: plain)
        #expect(try Gzip.decompress(try gzip(["-c", "-6"], plain), limit: text.count) == text)
    }
}
