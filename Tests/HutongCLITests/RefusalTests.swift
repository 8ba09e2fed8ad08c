import Foundation
import Replication
import Standard
import Testing
import Transport

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
        let toml = "\(c.dir)/node-a/hutong.toml"
        try (try String(contentsOfFile: toml, encoding: .utf8)).replacingOccurrences(of: "max_body_mb = 64", with: "max_body_mb = 1")
            .write(toFile: toml, atomically: true, encoding: .utf8)
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
            let r = try b.request("POST", "/v1/batches", body: body, headers: ["Content-Encoding: gzip"])
            let findings = try APIDescription.check("POST", "/v1/batches", status: r.status, body: r.body)
            #expect(findings.isEmpty, "POST /v1/batches → \(r.status): \(findings)")
        }
        // The check itself catches an answer that strays.
        #expect(!(try APIDescription.check("GET", "/v1/health", status: 200, body: Array(#"{"status":"fine"}"#.utf8))).isEmpty)
    }

    @Test func anUnpinnedCertificateIsRefused() throws {
        let stranger = try CLI.run([CLI.repo.appendingPathComponent("deploy/make-test-certs.sh").path, "certs", "stranger"], in: c.dir, executable: "/bin/bash")
        #expect(stranger.status == 0)
        let r = try client(certificate: "certs/stranger.crt", key: "certs/stranger.key").request("GET", "/v1/status")
        let e = try JSONParser.parse(r.body)
        #expect(r.status == 403 && e["error"]?["code"]?.stringValue == "unknown-peer")
        #expect(e["error"]?["message"]?.stringValue?.contains("hutong peers add") == true)
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
