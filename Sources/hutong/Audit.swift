import ArgumentParser

/// `hutong audit`: the hash-chained audit log.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show or verify the audit log.", subcommands: [Verify.self, List.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the audit log's hash chain and say where it breaks.",
            discussion: "Exit 0 when intact, 1 when broken.")
        @OptionGroup var node: NodeOptions

        func run() throws {
            switch try node.open().store.verifyAudit() {
            case .intact(let n): print("audit log intact: \(n) entr\(n == 1 ? "y" : "ies")")
            case .broken(let seq, let why):
                throw CommandFailure(code: ExitStatus.dataProblem, message: "audit log broken at entry \(seq): \(why)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the latest audit entries.")
        @Option(help: "How many.") var limit: Int = 20
        @OptionGroup var node: NodeOptions

        func run() throws {
            for e in try node.open().store.auditEntries(limit: limit).reversed() {
                print("\(e.sequence)  \(e.at)  \(e.kind)  \(e.detail)")
            }
        }
    }
}
