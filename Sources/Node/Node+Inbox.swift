import Capture
import Foundation
import Normalise

extension Node {
    /// The configured inboxes, their mappings loaded and checked.
    /// - Throws: `NodeError` for a folder that is missing or a mapping that does not load.
    public func inboxes() throws(NodeError) -> [Inbox] {
        var out: [Inbox] = []
        for settings in configuration.inboxes {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: settings.directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw NodeError("inbox \(settings.directory) (\(configuration.file.path)) is not a folder; create it, or fix [[inbox]] directory")
            }
            let mapping = try settings.mapping.map { path throws(NodeError) in try Self.loadMapping(path, schemas: catalog.directory) }
            out.append(Inbox(directory: URL(fileURLWithPath: settings.directory), mapping: mapping, settleSeconds: TimeInterval(settings.settleSeconds)))
        }
        return out
    }

    /// Takes every file that is ready in every inbox (`hutong inbox`), each
    /// whole, and reports each as it is done.
    public func takeInboxes(transactionSize: Int = Intake.defaultTransactionSize, each: (Inbox.Outcome) -> Void = { _ in }) throws -> [Inbox.Outcome] {
        let intake = Intake(store: store, catalog: catalog, transactionSize: transactionSize)
        var outcomes: [Inbox.Outcome] = []
        for inbox in try inboxes() {
            for file in try inbox.ready() {
                let outcome = try inbox.take(file, intake: intake)
                each(outcome)
                outcomes.append(outcome)
            }
        }
        return outcomes
    }
}
