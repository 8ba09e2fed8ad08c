import Foundation
import Replication
import Standard
import Testing
import Transport
import JSON

/// What the peer API refuses, each with its clear error and nothing applied,
/// and what it masks. node-a serves; node-b may pull penalties (personal
/// information masked) and push violation leads only.
@Suite(.serialized) struct RefusalTests {
    let c: Cluster
    let envelopes: [Envelope]

    init() throws {
        c = try Cluster(["node-a", "node-b"], grants: [
            "node-a>node-b": ["--grant-pull", "penalty", "--grant-push", "violation_lead"],
        ])
        // A small body limit at node-a, to test it without sending 64 MB.
        try c.editConfig("node-a", [("max_body_mb = 64", "max_body_mb = 1")])
        for (type, n) in [("penalty", 30), ("violation_lead", 3)] {
            #expect(try CLI.run(["sample", "--type", type, "--count", "\(n)", "--seed", "8", "-o", "\(type).ndjson"], in: c.dir).status == 0)
            #expect(try c.run("node-a", ["import", "\(type).ndjson"]).status == 0)
            #expect(try c.run("node-b", ["import", "\(type).ndjson"]).status == 0)
        }
        // node-b's own versions, as it would send them.
        #expect(try c.run("node-b", ["export", "-o", "b.ndjson"]).status == 0)
        envelopes = try String(contentsOfFile: "\(c.dir)/b.ndjson", encoding: .utf8).split(separator: "\n").dropFirst().dropLast()
            .map { try Envelope(json: try JSONParser.parse(String($0))) }
        try c.serve("node-a")
    }

    /// A client as node-b (or with other TLS material).
    func client(certificate: String = "certs/node-b.crt", key: String = "certs/node-b.key") throws -> PeerClient {
        var o = PeerClient.Options(baseURL: "https://127.0.0.1:\(c.ports["node-a"]!)", certificate: "\(c.dir)/\(certificate)",
                                   key: "\(c.dir)/\(key)", ca: "\(c.dir)/certs/ca.crt", pin: try TLSPin.ofCertificate(file: "\(c.dir)/certs/node-a.crt"))
        o.attempts = 1
        return try PeerClient(o)
    }

    func batch(_ envelopes: [Envelope], key: NodeKey? = nil, created: Date = Date()) throws -> [UInt8] {
        let header = BatchHeader(node: "node-b", epoch: UUID().uuidString.lowercased(), seqFrom: 0, schemaVersion: "1.0.0", createdAt: created)
        let signer = try key ?? NodeKey.read(from: "\(c.dir)/node-b/keys/node.ed25519")
        return Gzip.compress(try BatchWriter.encode(header: header, envelopes: envelopes, seqTo: Int64(envelopes.count), key: signer))
    }

    func push(_ body: [UInt8], with client: PeerClient? = nil) throws -> (status: Int, json: JSONValue) {
        let r = try (client ?? self.client()).request("POST", "/v1/batches", body: body,
                                                      headers: ["Content-Type: application/x-ndjson", "Content-Encoding: gzip"])
        return (r.status, try JSONParser.parse(r.body))
    }

    func recordCount() throws -> Int64 {
        try JSONParser.parse(try c.run("node-a", ["status", "--json"]).stdout)["records"]?["violation_lead"]?.intValue ?? 0
    }

    @Test func noClientCertificateOrWrongCAIsRefusedAtTLS() throws {
        var o = PeerClient.Options(baseURL: "https://127.0.0.1:\(c.ports["node-a"]!)", ca: "\(c.dir)/certs/ca.crt")
        o.attempts = 1
        #expect(throws: PeerError.self) { _ = try PeerClient(o).request("GET", "/v1/status") }
        // A certificate from another CA, for the same node name.
        let other = try CLI.run([CLI.repo.appendingPathComponent("deploy/make-test-certs.sh").path, "other-ca", "node-b"], in: c.dir, executable: "/bin/bash")
        #expect(other.status == 0)
        do {
            _ = try client(certificate: "other-ca/node-b.crt", key: "other-ca/node-b.key").request("GET", "/v1/status")
            Issue.record("a certificate from another CA was accepted")
        } catch let e as PeerError {
            #expect(!e.message.isEmpty && e.curlCode != nil, "curl's own words reach the user: \(e)")
        }
    }

    @Test func answersFollowThePublishedDescription() throws {
        let b = try client()
        for (method, path, query) in [("GET", "/v1/health", ""), ("GET", "/v1/status", ""), ("GET", "/v1/status", "?records=false"),
                                      ("GET", "/v1/changes", "?since=nonsense"), ("GET", "/v1/changes", "?limit=0")] {
            let r = try b.request(method, path + query)
            let findings = try APIDescription.check(method, path, status: r.status, body: r.body)
            #expect(findings.isEmpty, "\(method) \(path)\(query) → \(r.status): \(findings)")
        }
        let leads = envelopes.filter { $0.type == "violation_lead" }
        for body in [try batch(leads), try batch(leads, key: .generate()), Gzip.compress(Array("x\n".utf8))] {
            let r = try b.request("POST", "/v1/batches", body: body, headers: ["Content-Type: application/x-ndjson", "Content-Encoding: gzip"])
            let findings = try APIDescription.check("POST", "/v1/batches", status: r.status, body: r.body)
            #expect(findings.isEmpty, "POST /v1/batches → \(r.status): \(findings)")
        }
        // The check itself catches an answer that strays.
        #expect(!(try APIDescription.check("GET", "/v1/health", status: 200, body: Array(#"{"status":"fine"}"#.utf8))).isEmpty)
    }

    @Test func anUnpinnedCertificateIsRefused() throws {
        let stranger = try CLI.run([CLI.repo.appendingPathComponent("deploy/make-test-certs.sh").path, "certs", "stranger"], in: c.dir, executable: "/bin/bash")
        #expect(stranger.status == 0)
        let stranger_ = try client(certificate: "certs/stranger.crt", key: "certs/stranger.key")
        let r = try stranger_.request("GET", "/v1/status")
        let e = try JSONParser.parse(r.body)
        #expect(r.status == 403 && e["error"]?["code"]?.stringValue == "unknown-peer")
        #expect(e["error"]?["message"]?.stringValue?.contains("hutong peers add") == true)
        // Not even health (or the node id) for a certificate of the same CA that is no configured peer.
        let health = try stranger_.request("GET", "/v1/health")
        #expect(health.status == 403 && !String(decoding: health.body, as: UTF8.self).contains("\"status\""), "\(health.status)")
        #expect(try client().request("GET", "/v1/health").status == 200)
        // A batch it posts is refused, and the refusal is in the audit log.
        let leads = envelopes.filter { $0.type == "violation_lead" }
        let pushed = try push(try batch(leads), with: stranger_)
        #expect(pushed.status == 403 && pushed.json["error"]?["code"]?.stringValue == "unknown-peer")
        let audit = try c.run("node-a", ["audit", "list", "--limit", "10"]).stdout
        #expect(audit.contains("batch-refused") && audit.contains("unknown certificate"), "\(audit)")
        try expectIntact()
    }

    /// `hutong check` at node-a says intact.
    func expectIntact(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let check = try c.run("node-a", ["check"])
        #expect(check.status == 0 && check.stdout.contains("intact"), "\(check.stdout)\(check.stderr)", sourceLocation: sourceLocation)
    }

    /// Values at the edge of what the schema allows, from a signed peer: a
    /// clock's logical counter at 2^32−1 (which crashed the server), a
    /// vector counter of 2^63−1 or above this node's own writes (which
    /// wedged it after the next local edit). Each is quarantined with its
    /// reason, the server stays up, and the node reads back what it writes.
    @Test func edgeValuesNeitherCrashNorWedgeTheNode() throws {
        let lead = try #require(envelopes.first { $0.type == "violation_lead" })
        // A few seconds ahead (within the allowed skew), so the remote clock leads ours.
        let ahead = UInt64(Date().timeIntervalSince1970 * 1000) + 5_000
        var late = lead
        late.hlc = HLCTimestamp(millis: ahead, logical: .max)
        var huge = lead
        huge.vv = VersionVector(["node-b": 2, "node-a": UInt64(Int64.max)])
        var claimed = lead
        claimed.vv = VersionVector(["node-b": 2, "node-a": 7])
        for (e, why) in [(late, "logical counter"), (huge, "vv"), (claimed, "claims write 7 of this node")] {
            let r = try push(try batch([e]))
            #expect(r.status == 200 && r.json["counts"]?["rejected"] == 1, "\(r.json)")
            #expect(r.json["rejected"]?.arrayValue?.first?.stringValue?.contains(why) == true, "\(r.json)")
            #expect(try client().request("GET", "/v1/health").status == 200, "the server went down after \(why)")
        }
        #expect(try c.run("node-a", ["quarantine", "list"]).stdout.contains("claims write 7"))
        // A local edit of that record afterwards: read back, exported, served.
        let line = try #require(try String(contentsOfFile: "\(c.dir)/violation_lead.ndjson", encoding: .utf8).split(separator: "\n").first)
        var body = try #require(try JSONParser.parse(String(line)).objectValue)
        body["result"] = "复核后更正。"
        try (JSONWriter.string(.object(body)) + "\n").write(toFile: "\(c.dir)/edit.ndjson", atomically: true, encoding: .utf8)
        #expect(try c.run("node-a", ["import", "edit.ndjson"]).status == 0)
        let got = try c.run("node-a", ["records", "get", lead.id])
        #expect(got.status == 0, "\(got.stderr)")
        #expect(try JSONParser.parse(got.stdout)["vv"] == ["node-a": 2], "\(got.stdout)")
        #expect(try c.run("node-a", ["export", "-o", "a.ndjson"]).status == 0)
        #expect(try client().request("GET", "/v1/changes?limit=100").status == 200)
        try expectIntact()
    }

    /// A masked list may only name personal fields, each holding masked
    /// text; everything else is checked. `"masked": [""]` once let a body
    /// that breaks the schema, under a hash that is not its own, be stored.
    @Test func maskingCoversPersonalFieldsOnly() throws {
        let lead = try #require(envelopes.first { $0.type == "violation_lead" })
        var whole = lead
        whole.masked = [""]
        var body = try #require(lead.body.objectValue)
        body["description"] = nil
        whole.body = .object(body)
        var notPersonal = lead
        notPersonal.masked = ["/description"]
        var b2 = try #require(lead.body.objectValue)
        b2["description"] = "群**"
        notPersonal.body = .object(b2)
        let before = try recordCount()
        for (e, why) in [(whole, "masked"), (notPersonal, "not a personal field")] {
            let r = try push(try batch([e]))
            #expect(r.status == 200 && r.json["counts"]?["rejected"] == 1, "\(r.json)")
            #expect(r.json["rejected"]?.arrayValue?.first?.stringValue?.contains(why) == true, "\(r.json)")
        }
        #expect(try recordCount() == before)
        let got = try JSONParser.parse(try c.run("node-a", ["records", "get", lead.id]).stdout)
        #expect(got["masked"] == nil && got["body"]?["description"] != nil)
        try expectIntact()
    }

    /// A batch not sent as NDJSON is refused with 415; a cheap gzip body that
    /// expands to a stream of newlines, or to more records than a page may
    /// hold, is refused at its first blank line or its 10,001st record,
    /// not after the whole body has been read line by line.
    @Test func wrongTypesAndCheapBombsAreRefusedAtOnce() throws {
        let leads = envelopes.filter { $0.type == "violation_lead" }
        let before = try recordCount()
        let plain = try client().request("POST", "/v1/batches", body: try batch(leads), headers: ["Content-Type: text/plain", "Content-Encoding: gzip"])
        #expect(plain.status == 415, "\(plain.status)")
        #expect(try JSONParser.parse(plain.body)["error"]?["code"]?.stringValue == "unsupported-media-type")
        let h = BatchHeader(node: "node-b", epoch: UUID().uuidString.lowercased(), seqFrom: 0, schemaVersion: "1.0.0")
        let headerLine = Array(JSONWriter.string(.object(h.json)).utf8) + [0x0A]
        let newlines = Gzip.compress(headerLine + [UInt8](repeating: 0x0A, count: 80 << 20))
        #expect(newlines.count < 200_000)
        let bomb = try push(newlines)
        #expect(bomb.status == 400 && bomb.json["error"]?["message"]?.stringValue?.contains("line 2 is blank") == true, "\(bomb.json)")
        let many = Gzip.compress(headerLine + Array(String(repeating: "{}\n", count: 10_001).utf8))
        let tooMany = try push(many)
        #expect(tooMany.status == 400 && tooMany.json["error"]?["message"]?.stringValue?.contains("more than the 10000 records") == true, "\(tooMany.json)")
        #expect(try recordCount() == before)
        #expect(try client().request("GET", "/v1/health").status == 200)
        try expectIntact()
    }

    @Test func forgedReplayedOversizedAndMalformedBatchesChangeNothing() throws {
        let leads = envelopes.filter { $0.type == "violation_lead" }
        let before = try recordCount()
        let forged = try push(try batch(leads, key: .generate()))
        #expect(forged.status == 401 && forged.json["error"]?["code"]?.stringValue == "bad-signature")
        let stale = try push(try batch(leads, created: Date().addingTimeInterval(-3_600)))
        #expect(stale.status == 400 && stale.json["error"]?["code"]?.stringValue == "stale-batch")
        var random = SystemRandomNumberGenerator()
        let big = Gzip.compress((0..<(2 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) }, level: 0)
        let oversized = try push(big)
        #expect(oversized.status == 413 && oversized.json["error"]?["code"]?.stringValue == "too-large")
        let malformed = try push(Gzip.compress(Array("this is not a batch\n{}\n".utf8)))
        #expect(malformed.status == 400 && malformed.json["error"]?["code"]?.stringValue == "malformed-batch")
        #expect(try recordCount() == before)
        let audit = try c.run("node-a", ["audit", "list", "--limit", "50"]).stdout
        #expect(audit.components(separatedBy: "batch-refused").count - 1 >= 4)
        // The genuine batch goes through, and a repeat of it gets the same answer.
        let body = try batch(leads)
        let ok = try push(body)
        #expect(ok.status == 200 && ok.json["repeated"]?.boolValue == false)
        let again = try push(body)
        #expect(again.status == 200 && again.json["repeated"]?.boolValue == true && again.json["counts"] == ok.json["counts"])
        #expect(try recordCount() == before + (ok.json["counts"]?["applied"]?.intValue ?? -1), "\(ok.json)")
        #expect(try c.run("node-a", ["audit", "list", "--limit", "5"]).stdout.contains("batch-repeated"))
    }

    @Test func aTypeNotGrantedIsRejectedAndAudited() throws {
        let penalties = Array(envelopes.filter { $0.type == "penalty" }.prefix(2))
        let r = try push(try batch(penalties + envelopes.filter { $0.type == "violation_lead" }.prefix(1)))
        #expect(r.status == 200 && r.json["counts"]?["rejected"]?.intValue == 2)
        #expect(r.json["rejected"]?.arrayValue?.first?.stringValue?.contains("may not write penalty records") == true)
        let q = try c.run("node-a", ["quarantine", "list"]).stdout
        #expect(q.contains("node-b may not write penalty records here"))
        #expect(try c.run("node-a", ["audit", "list"]).stdout.contains("push-refused"))
    }

    @Test func personalFieldsAreMaskedForAPeerWithoutTheGrant() throws {
        let r = try client().request("GET", "/v1/changes?limit=100")
        #expect(r.status == 200)
        let lines = String(decoding: r.body, as: UTF8.self).split(separator: "\n").dropFirst().map { try! JSONParser.parse(String($0)) }
        // Records, then the end line, which counts them; leads are not granted.
        #expect(lines.last?["batch_end"] == true && lines.last?["count"] == 30)
        #expect(lines.dropLast().count == 30 && lines.dropLast().allSatisfy { $0["type"]?.stringValue == "penalty" })
        let masked = lines.dropLast().filter { !($0["masked"]?.arrayValue ?? []).isEmpty }
        #expect(!masked.isEmpty)
        for e in masked {
            for pointer in e["masked"]!.arrayValue! {
                let value = JSONPointerLookup.value(at: pointer.stringValue!, in: e["body"]!)
                #expect(value?.stringValue?.contains("*") == true, "\(pointer) is listed as masked")
            }
        }
        // No whole ID number leaves the node (统一社会信用代码, also 18 characters, are not personal).
        let text = String(decoding: r.body, as: UTF8.self)
        let leak = text.range(of: #""number":"[0-9]{17}[0-9X]""#, options: .regularExpression)
        #expect(leak == nil, "\(leak.map { String(text[$0]) } ?? "")")
    }
}

/// Reads a JSON Pointer (test helper).
enum JSONPointerLookup {
    static func value(at pointer: String, in root: JSONValue) -> JSONValue? {
        var v: JSONValue? = root
        for part in pointer.split(separator: "/", omittingEmptySubsequences: true) {
            if let i = Int(part), let a = v?.arrayValue { v = i < a.count ? a[i] : nil } else { v = v?[String(part)] }
        }
        return v
    }
}
