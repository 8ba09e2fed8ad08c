import ArgumentParser
import Foundation
import Node
import Standard
import Transport

/// `hutong peers`: the nodes this one exchanges with, and what each may do.
struct Peers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers",
        abstract: "Add, list and check peers.",
        subcommands: [Add.self, List.self, Check.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a peer to hutong.toml, with what it may do here (everything else is denied).")
        @Argument(help: "The peer's node id.") var name: String
        @Option(help: "The peer's API address, e.g. https://10.1.2.3:7443.") var url: String
        @Option(help: "The peer's public signing key (its `hutong keys show`).") var signingKey: String
        @Option(help: "The peer's TLS pin, sha256//BASE64 (its `hutong keys show`).") var pin: String?
        @Option(help: ArgumentHelp("Or: the peer's certificate, to compute the pin from.", valueName: "file")) var certificate: String?
        @Option(help: ArgumentHelp("Record types it may pull from us, comma-separated.", valueName: "types")) var grantPull: String = ""
        @Option(help: ArgumentHelp("Record types it may push to us, comma-separated.", valueName: "types")) var grantPush: String = ""
        @Option(help: ArgumentHelp("Region prefixes (行政区划) it is limited to, comma-separated.", valueName: "prefixes")) var regions: String = ""
        @Flag(help: "It sees personal information unmasked.") var personal = false
        @OptionGroup var node: NodeOptions

        func run() throws {
            let opened = try node.open()
            let config = opened.config
            guard NodeID.isValid(name) else { throw CommandFailure(code: ExitStatus.usage, message: "peer \"\(name)\": \(NodeID.rule)") }
            guard name != config.nodeID else { throw CommandFailure(code: ExitStatus.usage, message: "\(name) is this node") }
            guard config.peer(named: name) == nil else {
                throw CommandFailure(code: ExitStatus.usage, message: "\(name) is already a peer; edit its [[peers]] table in \(config.file.path)")
            }
            do { _ = try PeerKey(base64: signingKey) } catch { throw CommandFailure(code: ExitStatus.usage, message: "--signing-key: \(error)") }
            var pin = pin
            if let certificate {
                do { pin = try TLSPin.ofCertificate(file: certificate) } catch {
                    throw CommandFailure(code: ExitStatus.usage, message: "--certificate \(certificate): \(error)")
                }
            }
            if url.hasPrefix("https://") && pin == nil {
                throw CommandFailure(code: ExitStatus.usage, message: "an https peer needs --pin or --certificate: a peer is identified by its pinned TLS key")
            }
            func types(_ list: String, _ flag: String) throws -> [String] {
                let t = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                for x in t where opened.catalog.recordTypes[x] == nil {
                    throw CommandFailure(code: ExitStatus.usage, message: "\(flag): unknown record type \"\(x)\"; use \(StandardCatalog.recordTypeNames.joined(separator: ", "))")
                }
                return t
            }
            let pull = try types(grantPull, "--grant-pull"), push = try types(grantPush, "--grant-push")
            let prefixes = regions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            func list(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
            let block = """

                [[peers]]
                name = "\(name)"
                url = "\(url)"
                \(pin.map { "pin = \"\($0)\"" } ?? "# no pin: plain HTTP on loopback only")
                signing_key = "\(signingKey)"
                # What \(name) may do here; anything not listed is denied.
                grants = { pull = \(list(pull)), push = \(list(push)), regions = \(list(prefixes)), personal = \(personal) }

                """
            guard let handle = FileHandle(forWritingAtPath: config.file.path) else {
                throw CommandFailure(code: ExitStatus.usage, message: "cannot write \(config.file.path)")
            }
            handle.seekToEndOfFile()
            handle.write(Data(block.utf8))
            handle.closeFile()
            do { _ = try NodeConfiguration.load(path: config.file.path) } catch {
                throw CommandFailure(code: ExitStatus.usage, message: "the file no longer reads after adding \(name): \(error)")
            }
            try opened.store.audit(kind: "configuration", detail: "peer \(name) added: url \(url), pull \(pull), push \(push), regions \(prefixes), personal \(personal)")
            print("added peer \(name) to \(config.file.path)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List peers and their grants.")
        @OptionGroup var node: ConfigOptions

        func run() throws {
            let config = try node.load()
            if config.peers.isEmpty { print("no peers configured; add one with `hutong peers add`") }
            for p in config.peers { print(Self.describe(p)) }
        }

        static func describe(_ p: PeerEntry) -> String {
            let g = p.grants
            func t(_ s: Set<String>) -> String { s.isEmpty ? "nothing" : s.sorted().joined(separator: ",") }
            return "\(p.name)  \(p.url)  pin \(p.pin.map { String($0.prefix(20)) + "…" } ?? "none")\n"
                + "  may pull \(t(g.pull)); may push \(t(g.push)); regions \(g.regions.isEmpty ? "all" : g.regions.joined(separator: ","));"
                + " personal information \(g.personal ? "unmasked" : "masked")"
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Reach a peer: TLS and pin verified, its signing key checked, grants shown both ways.",
            discussion: "Exit codes: 0 the peer is reachable and matches its configuration; 3 it is not (the reason is printed); 2 usage.")
        @Argument(help: "The peer's node id.") var name: String
        @OptionGroup var node: NodeOptions

        func run() throws {
            let opened = try node.open()
            let config = opened.config
            guard let peer = config.peer(named: name) else {
                throw CommandFailure(code: ExitStatus.usage, message: "no peer \"\(name)\" in \(config.file.path)")
            }
            do {
                let client = try PeerClient(PeerLink.options(for: peer, config: config))
                let health = try client.request("GET", "/v1/health")
                print("reached \(peer.url) over \(health.httpVersion)" + (peer.url.hasPrefix("https://") ? ", TLS verified against the CA, public key matches the pin" : " (plain HTTP)"))
                let status = try PeerSync.answer(try client.request("GET", "/v1/status"), from: name)
                guard status["node"]?.stringValue == name else {
                    throw SyncError("the server there is node \(status["node"]?.stringValue ?? "?"), not \(name)")
                }
                // A one-record page, signature checked, nothing applied.
                let page = try client.request("GET", "/v1/changes?limit=1")
                if page.status != 200 { _ = try PeerSync.answer(page, from: name) }
                _ = try BatchReader(catalog: opened.catalog).read(page.body, from: name, key: peer.signingKey)
                print("signing key matches: a batch from \(name) verified")
                let theirs = PeerGrants(json: status["your_grants"] ?? [:])
                print("we may pull from \(name): \(theirs.pull.isEmpty ? "nothing" : theirs.pull.sorted().joined(separator: ",")); push to it: \(theirs.push.isEmpty ? "nothing" : theirs.push.sorted().joined(separator: ",")); personal information \(theirs.personal ? "unmasked" : "masked")")
                print("\(name) may pull from us: \(peer.grants.pull.isEmpty ? "nothing" : peer.grants.pull.sorted().joined(separator: ",")); push to us: \(peer.grants.push.isEmpty ? "nothing" : peer.grants.push.sorted().joined(separator: ",")); personal information \(peer.grants.personal ? "unmasked" : "masked")")
            } catch {
                throw CommandFailure(code: 3, message: "\(name): \(error)")
            }
        }
    }
}
