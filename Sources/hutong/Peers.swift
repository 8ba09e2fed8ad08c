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
        @Option(help: "The peer's API address, e.g. https://10.1.2.3:7443; or file:///FOLDER for a peer reached by bundle files only (`hutong bundle`).") var url: String
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
            var pin = pin
            if let certificate {
                do { pin = try TLSPin.ofCertificate(file: certificate) } catch {
                    throw CommandFailure(code: ExitStatus.usage, message: "--certificate \(certificate): \(error)")
                }
            }
            func list(_ text: String) -> [String] {
                text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            let grants = PeerGrants(pull: Set(list(grantPull)), push: Set(list(grantPush)), regions: list(regions), personal: personal)
            do { try opened.addPeer(name: name, url: url, pin: pin, signingKey: signingKey, grants: grants) } catch {
                throw CommandFailure(error)
            }
            print("added peer \(name) to \(opened.configuration.file.path)")
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
            let peer: PeerEntry
            do { peer = try opened.peer(named: name) } catch { throw CommandFailure(error) }
            let check: PeerCheck
            do { check = try opened.check(peer) } catch {
                throw CommandFailure(code: ExitStatus.peerFailed, message: "\(name): \(error)")
            }
            print("reached \(peer.url) over \(check.httpVersion)" + (check.tls ? ", TLS verified against the CA, public key matches the pin" : " (plain HTTP)"))
            print("signing key matches: a batch from \(name) verified")
            func types(_ t: Set<String>) -> String { t.isEmpty ? "nothing" : t.sorted().joined(separator: ",") }
            let theirs = check.theirGrants, ours = check.ourGrants
            print("we may pull from \(name): \(types(theirs.pull)); push to it: \(types(theirs.push)); personal information \(theirs.personal ? "unmasked" : "masked")")
            print("\(name) may pull from us: \(types(ours.pull)); push to us: \(types(ours.push)); personal information \(ours.personal ? "unmasked" : "masked")")
        }
    }
}
