import Capture

extension Node {
    /// Takes a JSON or NDJSON file into the store (`hutong import`): standard
    /// records as local writes, an export of another node as that node's batch.
    /// - Throws: `IntakeError` (unreadable file, invalid export header) and the store's errors.
    public func importFile(_ path: String, transactionSize: Int = Intake.defaultTransactionSize) throws -> IntakeReport {
        var source = try FileSource(path: path)
        return try Intake(store: store, catalog: catalog, transactionSize: transactionSize).run(&source)
    }
}
