import Foundation
import Postgres
import TOMLKit
import Transport

/// `hutong.toml`: the one configuration file of a node (every key is
/// described in docs/configuration.md). Relative paths are relative to the file.
public struct NodeConfiguration: Sendable {
    public let file: URL
    public let nodeID: String
    /// The embedded store's file ([store] path); unused when `storeDatabase` is set.
    public let storePath: String
    /// A store on PostgreSQL ([store] database, a postgres:// URL) and its password file.
    public var storeDatabase: String?
    public var storePasswordFile: String?
    public let maxClockSkewSeconds: Int
    /// This node's Ed25519 signing key file ([keys] signing).
    public let signingKeyPath: String
    /// This node's TLS material ([tls]); nil when not configured.
    public let tls: PeerServer.TLSFiles?
    /// The peer API ([server]).
    public let listenHost: String
    public let listenPort: Int
    public let plainHTTP: Bool
    public let maxBodyBytes: Int
    public let maxBatchAgeSeconds: Int
    /// Seconds a peer's connection may stay silent or take to send a request's head.
    public let idleTimeoutSeconds: Int
    /// [[peers]]
    public let peers: [PeerEntry]
    /// [[inbox]]: folders export files are dropped into.
    public var inboxes: [InboxSettings] = []
    /// [[sources]]: agency tables the node captures.
    public var sources: [SourceSettings] = []
    /// [[sinks]]: agency databases the node writes its records into.
    public var sinks: [SinkSettings] = []
    /// [daemon]: how `hutong run` behaves.
    public var daemon = DaemonSettings()
    /// [sync]: how long a request to a peer may take.
    public var sync = SyncSettings()

    /// One `[[inbox]]`: its folder, the mapping its files are read through
    /// (none: they hold standard records), and how long a file must rest.
    public struct InboxSettings: Sendable {
        public let directory: String
        public let mapping: String?
        public let settleSeconds: Int
    }

    public func peer(named name: String) -> PeerEntry? { peers.first { $0.name == name } }

    /// The store, as messages name it: its file, or its database (without a password).
    public var storeName: String {
        guard let storeDatabase else { return storePath }
        return (try? PostgresTarget(url: storeDatabase, passwordFile: nil).description) ?? storeDatabase
    }

    /// Where commands look for the file when none is named.
    public static func defaultPath() -> String {
        if let p = ProcessInfo.processInfo.environment["HUTONG_CONFIG"] { return p }
        if FileManager.default.fileExists(atPath: "hutong.toml") { return "hutong.toml" }
        return "/etc/hutong/hutong.toml"
    }

    public static func load(path: String) throws -> NodeConfiguration {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ConfigurationError("cannot read \(path); run `hutong init` to create a node, or pass --config FILE")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigurationError("\(path):\(e.source.begin.line):\(e.source.begin.column): \(e.description)")
        }
        guard let node = table["node"]?.table, let id = node["id"]?.string else {
            throw ConfigurationError("\(path): [node] id is missing")
        }
        guard NodeID.isValid(id) else { throw ConfigurationError("\(path): [node] id \"\(id)\": \(NodeID.rule)") }
        let store = table["store"]?.table
        let storePath = store?["path"]?.string ?? "hutong.sqlite"
        let skew = store?["max_clock_skew_seconds"]?.int ?? 60
        guard skew > 0 else { throw ConfigurationError("\(path): [store] max_clock_skew_seconds must be positive") }
        let base = url.deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        let storeDatabase = store?["database"]?.string
        if let storeDatabase {
            guard store?["path"] == nil else {
                throw ConfigurationError("\(path): [store] has both path and database; a node has one store: path for SQLite, database for PostgreSQL")
            }
            do { _ = try PostgresTarget(url: storeDatabase, passwordFile: nil) } catch {
                throw ConfigurationError("\(path): [store] database: \(error)")
            }
        } else if store?["password_file"] != nil {
            throw ConfigurationError("\(path): [store] password_file is for a store on PostgreSQL (database = \"postgres://…\")")
        }
        let keys = table["keys"]?.table
        let tlsTable = table["tls"]?.table
        var tls: PeerServer.TLSFiles?
        if let tlsTable {
            guard let c = tlsTable["certificate"]?.string, let k = tlsTable["key"]?.string, let ca = tlsTable["ca"]?.string else {
                throw ConfigurationError("\(path): [tls] needs certificate, key and ca (PEM files; deploy/make-test-certs.sh makes test ones)")
            }
            tls = PeerServer.TLSFiles(certificate: resolve(c), key: resolve(k), ca: resolve(ca))
        }
        let server = table["server"]?.table
        let listen = server?["listen"]?.string ?? "127.0.0.1:7443"
        guard let (host, port) = hostAndPort(listen) else {
            throw ConfigurationError("\(path): [server] listen \"\(listen)\" must be HOST:PORT, e.g. 0.0.0.0:7443")
        }
        var peers: [PeerEntry] = []
        for (i, item) in (table["peers"]?.array ?? TOMLArray()).enumerated() {
            guard let p = item.table else { throw ConfigurationError("\(path): peers[\(i + 1)] must be a [[peers]] table") }
            guard let name = p["name"]?.string, NodeID.isValid(name) else {
                throw ConfigurationError("\(path): peers[\(i + 1)] name must be the peer's node id (\(NodeID.rule))")
            }
            guard let peerURL = p["url"]?.string else { throw ConfigurationError("\(path): peer \(name) has no url") }
            guard let key = p["signing_key"]?.string else {
                throw ConfigurationError("\(path): peer \(name) has no signing_key (its `hutong keys show`)")
            }
            let g = p["grants"]?.table
            func list(_ k: String) -> [String] { g?[k]?.array?.compactMap { $0.string } ?? [] }
            let grants = PeerGrants(pull: Set(list("pull")), push: Set(list("push")), regions: list("regions"), personal: g?["personal"]?.bool ?? false)
            do {
                peers.append(try PeerEntry(name: name, url: peerURL, pin: p["pin"]?.string, signingKey: key, grants: grants))
            } catch {
                throw ConfigurationError("\(path): peer \(name): \(error)")
            }
        }
        var inboxes: [InboxSettings] = []
        for (i, item) in (table["inbox"]?.array ?? TOMLArray()).enumerated() {
            guard let t = item.table, let dir = t["directory"]?.string else {
                throw ConfigurationError("\(path): inbox[\(i + 1)] needs directory = \"…\" (the folder files are dropped into)")
            }
            for key in t.keys where !["directory", "mapping", "settle_seconds"].contains(key) {
                throw ConfigurationError("\(path): inbox[\(i + 1)] has an unknown key \(key); its keys are directory, mapping, settle_seconds")
            }
            let settle = t["settle_seconds"]?.int ?? 10
            guard settle >= 0 else { throw ConfigurationError("\(path): inbox[\(i + 1)] settle_seconds must not be negative") }
            inboxes.append(InboxSettings(directory: resolve(dir), mapping: t["mapping"]?.string.map(resolve), settleSeconds: settle))
        }
        var configuration = NodeConfiguration(
            file: url, nodeID: id, storePath: resolve(storePath), maxClockSkewSeconds: skew,
            signingKeyPath: resolve(keys?["signing"]?.string ?? "keys/node.ed25519"), tls: tls,
            listenHost: host, listenPort: port, plainHTTP: server?["plain_http"]?.bool ?? false,
            maxBodyBytes: (server?["max_body_mb"]?.int ?? 64) << 20,
            maxBatchAgeSeconds: server?["max_batch_age_seconds"]?.int ?? 600,
            idleTimeoutSeconds: max(1, server?["idle_timeout_seconds"]?.int ?? 30), peers: peers)
        configuration.storeDatabase = storeDatabase
        configuration.storePasswordFile = store?["password_file"]?.string.map(resolve)
        configuration.inboxes = inboxes
        configuration.sources = try sources(table, path: path, resolve: resolve)
        configuration.sinks = try sinks(table, path: path, sources: configuration.sources, resolve: resolve)
        configuration.daemon = try daemon(table, path: path)
        configuration.sync = try sync(table, path: path)
        return configuration
    }

    /// `HOST:PORT` (an IPv6 host in brackets), or nil.
    public static func hostAndPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    /// The commented file `hutong init` writes.
    public static func template(nodeID: String, listen: String = "127.0.0.1:7443", tls: PeerServer.TLSFiles? = nil, plainHTTP: Bool = false,
                                database: String? = nil, passwordFile: String? = nil) -> String {
        let storeBlock = database.map { url in
            """
            # The node store on PostgreSQL (the schema hutong_store of this database).
            # Its password: the first line of password_file, else PGPASSWORD.
            database = "\(url)"
            """ + (passwordFile.map { "\npassword_file = \"\($0)\"" } ?? "\n# password_file = \"store.password\"")
        } ?? """
            # The embedded node store (SQLite, WAL mode). For a store on PostgreSQL,
            # database = "postgres://USER@HOST:PORT/DATABASE" instead (docs/configuration.md).
            path = "hutong.sqlite"
            """
        let tlsBlock = tls.map { t in
            """
            [tls]
            certificate = "\(t.certificate)"
            key = "\(t.key)"
            ca = "\(t.ca)"
            """
        } ?? """
            # [tls]
            # certificate = "tls/node.crt"
            # key = "tls/node.key"
            # ca = "tls/ca.crt"
            """
        return
        """
        # Hutong node configuration (written by `hutong init`).
        # Relative paths are relative to this file.

        [node]
        # This node's id: lower-case letters, digits and '-', starting with a letter.
        # An id is never reused: a node restored from a backup takes a new one,
        # or its version counters would repeat.
        id = "\(nodeID)"

        [store]
        \(storeBlock)
        # A peer's clock may be at most this many seconds ahead of ours; versions
        # from further ahead are refused and quarantined.
        max_clock_skew_seconds = 60

        [keys]
        # This node's Ed25519 key for signing batches (`hutong keys generate`).
        # Peers configure its public half (`hutong keys show`).
        signing = "keys/node.ed25519"

        # TLS material for the peer API and for reaching peers (mutual TLS).
        # deploy/make-test-certs.sh makes a test CA and node certificates.
        \(tlsBlock)

        [server]
        # Where `hutong serve` listens for peers.
        listen = "\(listen)"
        # Plain HTTP instead of mutual TLS: tests on a loopback address only.
        plain_http = \(plainHTTP)
        # Largest batch accepted, in MB (compressed and decompressed).
        max_body_mb = 64
        # Batches made longer ago than this are refused as stale (replays).
        max_batch_age_seconds = 600
        # A connection silent this long, or this slow to send a request's headers, is closed.
        idle_timeout_seconds = 30

        # Folders agencies drop export files into (`hutong inbox` takes them):
        # one [[inbox]] each; mapping: how rows become standard records
        # (docs/mappings.md), left out for files of standard records.
        # [[inbox]]
        # directory = "inbox/penalty"
        # mapping = "mappings/penalty.toml"
        # settle_seconds = 10

        # Agency tables the node captures (`hutong capture install NAME` first,
        # then `hutong capture --once`): one [[sources]] each (docs/capture.md).
        # [[sources]]
        # name = "penalties"
        # database = "/srv/agency/enforcement.sqlite"
        # table = "XZCF"
        # mapping = "mappings/penalty.toml"

        # Agency databases the node writes its records into, in tables of its own
        # (hutong_in_<type>; created by `hutong capture install NAME`): one [[sinks]] each.
        # [[sinks]]
        # name = "agency-in"
        # database = "/srv/agency/enforcement.sqlite"
        # types = ["penalty", "case_transfer"]

        [daemon]
        # `hutong run`: every peer is synced at least this often, in seconds
        # (and at once after a capture stored something).
        sync_seconds = 60
        # The operators' status page, /healthz, /readyz and /metrics; "off" for none.
        admin_listen = "127.0.0.1:9464"
        # trace, debug, info, notice, warning or error; read again on SIGHUP.
        log_level = "info"
        # A change a peer has lacked this long counts as stuck (status --explain).
        stale_after_seconds = 120
        # For peers reached by files (url = "file:///FOLDER"): a file in FOLDER/in
        # is taken once it has not changed for this long (the transfer device may be writing it).
        link_settle_seconds = 10

        # Peers: one [[peers]] table each, added by `hutong peers add`.
        # Everything a peer may do here is listed in its grants; the rest is denied.

        """
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
