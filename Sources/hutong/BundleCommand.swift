import ArgumentParser
import Foundation
import Node
import Transport

/// `hutong bundle`: records exchanged with a peer as signed files, for
/// networks where only files cross (前置机, 网闸, one-way transfer devices).
struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Exchange records with a peer as signed files, where no connection is possible (前置机, 网闸).",
        subcommands: [Create.self, Apply.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Write what a peer lacks as a signed bundle file, addressed to it.",
            discussion: """
                The bundle holds this node's changes after the last point the peer acknowledged (from \
                the start when it never did), as far as its grant allows and masked as over HTTPS, \
                signed with this node's key. Without acknowledgements each bundle starts from the same \
                point again (cumulative), and the peer applies them without harm. With --max-size the \
                range is cut into parts FILE.1, FILE.2, …, each a bundle of its own that applies in any \
                order. No file is written when the peer lacks nothing. Exit codes: 0 written or nothing \
                to write; 2 an unknown peer, an unreadable key or a file that cannot be written.
                """)
        @Option(name: .customLong("for-peer"), help: ArgumentHelp("The peer the bundle is addressed to.", valueName: "node")) var forPeer: String
        @Option(name: [.short, .long], help: ArgumentHelp("The bundle file to write.", valueName: "file")) var output: String
        @Option(name: .customLong("max-size"), help: ArgumentHelp("Largest file, for transfer devices with a limit: bytes, or with K, M or G (at least 1M).", valueName: "size"))
        var maxSize: String?
        @OptionGroup var node: NodeOptions

        func run() throws {
            let maxBytes = try maxSize.map { text throws -> Int in
                guard let n = Self.bytes(text) else { throw CommandFailure(code: ExitStatus.usage, message: "--max-size \(text): give bytes, or a number with K, M or G (e.g. 50M)") }
                guard n >= BundleWriter.minimumPartBytes else { throw CommandFailure(code: ExitStatus.usage, message: "--max-size \(text) is too small: at least 1M") }
                return n
            }
            let opened = try node.open()
            let parts: [BundleWriter.Part]
            do { parts = try opened.createBundle(forPeer: forPeer, to: output, maxBytes: maxBytes) } catch let e as NodeError {
                throw CommandFailure(e)
            } catch {
                throw CommandFailure(code: ExitStatus.usage, message: "\(output): \(error)")
            }
            if parts.isEmpty {
                print("\(forPeer) lacks nothing this node may send it: no bundle written")
                return
            }
            for p in parts {
                print("\(p.path): for \(forPeer), \(p.end.records) records, sequence \(p.header.seqFrom + 1)–\(p.end.seqTo), \(p.bytes) bytes")
            }
        }

        /// "50M" → 52,428,800.
        static func bytes(_ text: String) -> Int? {
            let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
            let t = text.trimmingCharacters(in: .whitespaces).uppercased()
            guard let last = t.last else { return nil }
            if let unit = units[last] { return Int(t.dropLast()).flatMap { $0 > 0 && $0 <= Int.max / unit ? $0 * unit : nil } }
            return Int(t).flatMap { $0 > 0 ? $0 : nil }
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Apply bundle files from peers, and peers' acknowledgements of ours.",
            discussion: """
                A bundle is refused, before anything of it is applied, when it is not signed by a \
                configured peer's key or is addressed to another node; a batch in it is checked as a \
                pushed batch would be (its signature, the standard, the sender's push grant here); its \
                end line proves nothing was removed, added or altered. A bundle applied before changes \
                nothing. For each bundle an acknowledgement file for its sender is written into \
                --ack-dir, to go back over the link; given to the sender's `hutong bundle apply`, it \
                moves where the sender's next bundle starts. Exit codes: 0 every file applied (or \
                applied before); 1 a file was refused or a record quarantined; 2 a usage or configuration error.
                """)
        @Argument(help: ArgumentHelp("Bundle or acknowledgement files.", valueName: "file")) var files: [String]
        @Option(name: .customLong("ack-dir"), help: ArgumentHelp("Where acknowledgements are written (default: the current folder).", valueName: "folder"))
        var ackDir: String = "."
        @Flag(name: .customLong("no-ack"), help: "Write no acknowledgement (a strictly one-way link).") var noAck = false
        @OptionGroup var node: NodeOptions

        func run() throws {
            let opened = try node.open()
            var problem = false
            for file in files {
                if Node.isBundle(file) {
                    let r = opened.applyBundle(file, acknowledgeInto: noAck ? nil : ackDir)
                    print(Self.describe(r))
                    if r.refused != nil || r.quarantined > 0 { problem = true }
                } else {
                    let r = opened.applyAcknowledgement(file)
                    if let why = r.refused {
                        print("\(file): refused: \(why)")
                        problem = true
                    } else if let ack = r.acknowledgement {
                        print("\(file): \(ack.from) holds this node's log up to \(r.cursor ?? ack.sequence)"
                              + (r.alreadyKnown ? " (known already)" : "; its next bundle starts there"))
                    }
                }
            }
            if problem { throw CommandFailure(code: ExitStatus.dataProblem, message: "") }
        }

        static func describe(_ r: BundleApplied) -> String {
            var line = r.file + ": "
            if let h = r.header {
                line += "from \(h.from), bundle \(h.bundleID.prefix(8)) part \(h.part): "
            }
            if r.wasAppliedBefore {
                line += "applied before; nothing changed"
            } else if r.batches > 0 || r.refused == nil {
                line += "\(r.records) records: \(r.stored) stored, \(r.alreadyHad) already here, \(r.conflicts) conflicts, \(r.quarantined) quarantined"
                if r.repeatedBatches > 0 { line += " (\(r.repeatedBatches) batches applied before)" }
            }
            if let h = r.header, let held = r.holds { line += "; this node holds \(h.from)'s log up to \(held.sequence)" }
            if let why = r.refused { line += (line.hasSuffix(": ") ? "" : "; ") + "refused: \(why)" }
            if let ack = r.acknowledgement { line += "\n  acknowledgement for \(r.header?.from ?? "the sender"): \(ack)" }
            return line
        }
    }
}
