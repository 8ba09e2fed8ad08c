import ArgumentParser
import Foundation
import Standard

/// `hutong`: the node each enforcement agency runs to share records under the
/// unified enforcement data standard.
@main
struct Hutong: ParsableCommand {
    static let version = "0.1.0"

    /// Every command names itself (`commandName`): ArgumentParser otherwise
    /// derives each name from the type's description, a search of the
    /// binary's protocol conformances that slows every short command.
    static let configuration = CommandConfiguration(
        commandName: "hutong",
        abstract: "互通 Hutong: share enforcement records between agencies under one data standard.",
        discussion: """
            Exit codes:
              0  success (validate: every record is valid)
              1  data problem: validate, a record is invalid or a file is not JSON;
                 import, inbox, quarantine retry, a record or row was (or stays)
                 quarantined, or an inbox file was rejected; map preview, a row would
                 be quarantined; map test, a case failed or coverage fell short;
                 check, the store has a problem
              2  usage error, a configuration or mapping error, or a file or
                 directory that cannot be read
              3  sync, peers check: a peer could not be reached or refused (each says why)
              4  capture: a source's database could not be read (each says why)
            Shell completions: hutong --generate-completion-script bash|zsh|fish
            """,
        version: "hutong \(version)",
        subcommands: [Validate.self, Sample.self, Init.self, Status.self, Records.self, Conflicts.self, Audit.self, Quarantine.self, Map.self, Import.self, InboxCommand.self, CaptureCommand.self, Export.self, BundleCommand.self,
                      Keys.self, Peers.self, Run.self, Serve.self, Sync.self, Check.self, Reference.self]
    )

    /// Runs the command with the documented exit codes: ArgumentParser's usage
    /// errors (its code 64) become 2, like every other usage error here.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            if let failure = error as? CommandFailure {
                if !failure.message.isEmpty { FileHandle.standardError.write(Data(("hutong: " + failure.message + "\n").utf8)) }
                Foundation.exit(failure.code)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? ExitStatus.usage : code.rawValue)
        }
    }
}

/// The documented exit codes.
enum ExitStatus {
    static let ok: Int32 = 0
    static let dataProblem: Int32 = 1
    static let usage: Int32 = 2
    /// `sync`, `peers check`: a peer could not be reached or refused.
    static let peerFailed: Int32 = 3
    /// `capture`: a source's database or table could not be read.
    static let sourceFailed: Int32 = 4
}

/// Ends a command with a message on standard error and a given exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { message }
}
