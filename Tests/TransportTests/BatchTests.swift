import Foundation
import Replication
import Standard
import Store
import Testing
@testable import Transport

enum TransportFixtures {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let catalog: StandardCatalog = try! StandardCatalog(directory: repo.appendingPathComponent("Schemas"))

    /// Versions as node-a would store them, from sample records.
    static func envelopes(_ type: String, _ n: Int, seed: UInt64 = 1) throws -> [Envelope] {
        var g = try SampleGenerator(type: type, seed: seed)
        return try (0..<n).map { i in
            let body = g.next().record
            let id = try RecordID.derive(type: catalog.recordTypes[type]!, body: body).uuidString.lowercased()
            return MergeRules.write(current: nil, id: id, type: type, body: body, deleted: false, node: "node-a",
                                    hlc: HLCTimestamp(millis: 1_700_000_000_000 + UInt64(i)))!
        }
    }

    static func header(_ count: Int, node: String = "node-a", created: Date = Date()) -> BatchHeader {
        BatchHeader(node: node, epoch: UUID().uuidString.lowercased(), seqFrom: 0, seqTo: Int64(count), count: count,
                    schemaVersion: catalog.version, createdAt: created)
    }
}

@Suite struct BatchTests {
    typealias F = TransportFixtures
    let key = NodeKey.generate()
    var peerKey: PeerKey { try! PeerKey(base64: key.publicKeyBase64) }

    @Test func aSignedBatchReadsBackWhole() throws {
        let sent = try F.envelopes("penalty", 20)
        let bytes = try BatchWriter.encode(header: F.header(20), envelopes: sent, key: key)
        let read = try BatchReader(catalog: F.catalog).read(bytes, from: "node-a", key: peerKey)
        #expect(read.versions == sent && read.rejected.isEmpty && read.header.count == 20)
        // The canonical text its hash came from is kept for storing.
        #expect(read.versions.allSatisfy { $0.bodyText != nil })
    }

    @Test func anyChangedByteBreaksTheSignature() throws {
        let bytes = try BatchWriter.encode(header: F.header(5), envelopes: try F.envelopes("penalty", 5), key: key)
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
        var unsigned = Array(JSONWriter.string(.object(F.header(2).json)).utf8) + [0x0A]
        for e in envelopes { unsigned += Array(e.line.utf8) + [0x0A] }
        #expect(throws: BatchRefusal.unsigned) { _ = try reader.read(unsigned, from: "node-a", key: peerKey) }
        let old = try BatchWriter.encode(header: F.header(2, created: Date().addingTimeInterval(-700)), envelopes: envelopes, key: key)
        #expect(throws: BatchRefusal.self) { _ = try reader.read(old, from: "node-a", key: peerKey) }
        let other = try BatchWriter.encode(header: F.header(2, node: "node-x"), envelopes: envelopes, key: key)
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
        let bytes = try BatchWriter.encode(header: F.header(4), envelopes: envelopes, key: key)
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

    @Test func gzipRoundTripsAndHoldsItsLimit() throws {
        let text = Array(String(repeating: "行政处罚决定书 ", count: 50_000).utf8)
        let packed = Gzip.compress(text)
        #expect(packed.count < text.count / 20)
        #expect(try Gzip.decompress(packed, limit: text.count) == text)
        #expect(throws: GzipError.tooLarge(1_000)) { _ = try Gzip.decompress(packed, limit: 1_000) }
        #expect(throws: GzipError.invalid) { _ = try Gzip.decompress(Array(packed.prefix(packed.count / 2)), limit: text.count) }
        #expect(throws: GzipError.invalid) { _ = try Gzip.decompress(Array("plain".utf8), limit: 100) }
    }
}

@Suite struct AccessTests {
    typealias F = TransportFixtures

    @Test func personalFieldsAreMaskedAndListed() throws {
        let fields = F.catalog.recordTypes["penalty"]!.personalFields
        var sawPerson = false, sawOrganisation = false
        for e in try F.envelopes("penalty", 60, seed: 3) {
            let m = Masking.mask(e, fields: fields)
            #expect(m.hash == e.hash && m.vv == e.vv)
            let party = e.body["party"]!
            if party["kind"]?.stringValue == "自然人" {
                sawPerson = true
                #expect(m.masked.contains("/party/name") && m.body["party"]?["name"]?.stringValue?.contains("*") == true)
            } else {
                sawOrganisation = true
                // An organisation's name is public; its legal representative is a person.
                #expect(!m.masked.contains("/party/name") && m.body["party"]?["name"] == party["name"])
                if party["legal_representative"] != nil { #expect(m.masked.contains("/party/legal_representative/name")) }
            }
            #expect(!JSONWriter.string(m.body).contains(e.body["party"]?["id_document"]?["number"]?.stringValue ?? "\u{0}"))
        }
        #expect(sawPerson && sawOrganisation)
    }

    @Test func grantsAreDeniedByDefaultAndHoldRegions() {
        let body: JSONValue = ["region": "310115", "remarks": "x"]
        #expect(!PeerGrants.none.allows(PeerGrants.none.pull, type: "penalty", body: body))
        let g = PeerGrants(pull: ["penalty"], regions: ["31"])
        #expect(g.allows(g.pull, type: "penalty", body: body))
        #expect(!g.allows(g.pull, type: "penalty", body: ["region": "110105"]))
        #expect(!g.allows(g.pull, type: "case_transfer", body: body))
        #expect(!g.allows(g.push, type: "penalty", body: body))
        #expect(g.allows(g.pull, type: "penalty", body: [:]))  // a tombstone: the type decides
        #expect(PeerGrants(json: g.json) == g)
    }
}
