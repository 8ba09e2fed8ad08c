import Foundation
import HutongTesting
import Standard
import Testing
import JSON

/// Real nodes for transport tests: a test CA and certificates from
/// deploy/make-test-certs.sh, one directory per node made by `hutong init`,
/// every pair of nodes peered with `hutong peers add`, and `hutong serve`
/// processes on free loopback ports.
final class Cluster {
    let dir: String
    let names: [String]
    private(set) var ports: [String: Int] = [:]
    private var servers: [String: pid_t] = [:]

    /// Every node grants every other all types, personal information included,
    /// unless `grants` says otherwise for a (granting node, peer) pair.
    /// `plainHTTP`: no TLS (allowed on loopback only), which is HTTP/1.1.
    /// `fileLink`: every peer reached by bundle files only (`file://` urls), no TLS.
    init(_ names: [String], grants: [String: [String]] = [:], plainHTTP: Bool = false, fileLink: Bool = false) throws {
        let plainHTTP = plainHTTP || fileLink
        dir = try CLI.temporaryDirectory()
        self.names = names
        let script = CLI.repo.appendingPathComponent("deploy/make-test-certs.sh").path
        let made = try CLI.run([script, dir + "/certs"] + names, in: dir, executable: "/bin/bash")
        try #require(made.status == 0, "make-test-certs.sh failed: \(made.stderr)")
        for n in names {
            ports[n] = Self.freePort()
            let tls = plainHTTP ? ["--plain-http"] : ["--tls-certificate", "certs/\(n).crt", "--tls-key", "certs/\(n).key", "--tls-ca", "certs/ca.crt"]
            let r = try CLI.run(["init", "--node-id", n, "--dir", n, "--listen", "127.0.0.1:\(ports[n]!)"] + tls, in: dir)
            try #require(r.status == 0, "init \(n): \(r.stderr)")
        }
        for n in names {
            for p in names where p != n {
                let extra = grants["\(n)>\(p)"] ?? ["--grant-pull", StandardCatalog.recordTypeNames.joined(separator: ","),
                                                    "--grant-push", StandardCatalog.recordTypeNames.joined(separator: ","), "--personal"]
                let address = fileLink ? ["--url", "file://\(dir)/link-\(p)"]
                    : plainHTTP ? ["--url", "http://127.0.0.1:\(ports[p]!)"] : ["--url", "https://127.0.0.1:\(ports[p]!)", "--certificate", "certs/\(p).crt"]
                let r = try CLI.run(["peers", "add", p] + address + ["--signing-key", try publicKey(p), "--config", config(n)] + extra, in: dir)
                try #require(r.status == 0, "peers add \(p) at \(n): \(r.stderr)")
            }
        }
    }

    deinit {
        for pid in servers.values { CLI.kill(pid) }
    }

    func config(_ n: String) -> String { "\(n)/hutong.toml" }

    /// Edits a node's hutong.toml as its operator would, each text replaced by
    /// the next; fails the test when the file did not change.
    func editConfig(_ n: String, _ replacements: [(String, String)]) throws {
        let file = "\(dir)/\(config(n))"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let edited = replacements.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
        try #require(edited != text, "\(file) holds none of \(replacements.map(\.0))")
        try edited.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// node-a's grant widened to leads and personal information (from penalties, masked).
    static let widenedGrant = [(#"pull = ["penalty"]"#, #"pull = ["penalty", "violation_lead"]"#), ("personal = false", "personal = true")]

    /// Gives node `n` the worked example's agency (its own SQLite file under
    /// `agency/`) as source xzcf, `extra` appended to its configuration; the
    /// triggers installed unless `install` is false.
    func addAgencySource(to n: String, extra: String = "", install: Bool = true) throws {
        try FileManager.default.createDirectory(atPath: dir + "/agency", withIntermediateDirectories: true)
        try CaptureCommandTests.agency(copies: 1, in: dir + "/agency")
        let source = "\n[[sources]]\nname = \"xzcf\"\ndatabase = \"\(dir)/agency/agency.sqlite\"\ntable = \"t_xzcf\"\nmapping = \"\(CaptureCommandTests.example.appendingPathComponent("penalty.toml").path)\"\n" + extra
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/" + config(n)))
        handle.seekToEndOfFile()
        handle.write(Data(source.utf8))
        try handle.close()
        if install { try #require(try run(n, ["capture", "install", "xzcf"]).status == 0) }
    }

    func publicKey(_ n: String) throws -> String {
        let shown = try CLI.run(["keys", "show", "--config", config(n)], in: dir)
        return shown.lines.first { $0.hasPrefix("signing key:") }!.split(separator: " ").last.map(String.init)!
    }

    /// Starts `hutong serve` for a node and waits until it listens.
    func serve(_ n: String) throws {
        let log = "\(dir)/\(n).serve.log"
        servers[n] = try CLI.spawn(["serve", "--config", config(n)], in: dir, log: log)
        for _ in 0..<200 {
            if (try? String(contentsOfFile: log, encoding: .utf8))?.contains("listening on") == true { return }
            usleep(50_000)
        }
        Issue.record("hutong serve for \(n) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    func serveAll() throws { for n in names { try serve(n) } }

    func stop(_ n: String) {
        if let pid = servers.removeValue(forKey: n) { CLI.kill(pid) }
    }

    func run(_ n: String, _ arguments: [String]) throws -> CLIRun {
        try CLI.run(arguments + ["--config", config(n)], in: dir)
    }

    /// (id, vv, hash, deleted) of every record, sorted: what must be identical everywhere.
    func state(_ n: String) throws -> [String] {
        try run(n, ["records", "list", "--json", "--limit", "1000000"]).lines.map { line in
            let e = try JSONParser.parse(line)
            return "\(e["id"]!) \(JSONWriter.string(e["vv"]!, style: .canonical)) \(e["hash"]!) \(e["deleted"]!)"
        }.sorted()
    }

    static func freePort() -> Int { Loopback.freePort() }
    static func boundSocket() -> (fd: Int32, port: Int) { Loopback.boundSocket() }
}
