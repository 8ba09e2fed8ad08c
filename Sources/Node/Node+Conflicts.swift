import Foundation
import Replication
import Standard
import Store
import JSON

/// Which version a conflict's resolution keeps.
public enum ConflictChoice: Sendable {
    /// The version stored here (the policy's winner).
    case local
    /// The version that lost.
    case remote
    /// A corrected record, checked against the record's type.
    case record(JSONValue, from: String)
}

extension Node {
    /// Settles conflict `id` with a new local version that dominates both,
    /// which replicates to every peer. A masked copy is never kept: its text
    /// would replace the real names and numbers everywhere with their masks.
    /// - Throws: `NodeError` naming the conflict, the version or the file at fault.
    public func resolveConflict(_ id: Int64, keeping choice: ConflictChoice) throws -> Envelope {
        guard let c = try store.conflict(id: id) else { throw NodeError("no conflict \(id); see `hutong conflicts list`") }
        let body: JSONValue, deleted: Bool
        switch choice {
        case .local:
            guard let current = try store.record(id: c.recordID) else { throw NodeError("record \(c.recordID) is gone", kind: .data) }
            try Self.refuseMasked(current, "local")
            (body, deleted) = (current.body, current.deleted)
        case .remote:
            try Self.refuseMasked(c.loser, "remote")
            (body, deleted) = (c.loser.body, c.loser.deleted)
        case .record(let value, let file):
            let verdict = RecordGate(catalog: catalog, schema: c.type)!.check(value)
            if !verdict.isAcceptable {
                throw NodeError("\(file) is not a valid \(c.type):\n" + verdict.errors.map { "  \($0.instanceLocation): \($0.message)" }.joined(separator: "\n"), kind: .data)
            }
            (body, deleted) = (value, false)
        }
        do { return try store.resolveConflict(id: id, body: body, deleted: deleted) } catch let e as StoreError {
            throw NodeError(e.description, kind: .data)
        }
    }

    static func refuseMasked(_ e: Envelope, _ side: String) throws(NodeError) {
        guard !e.masked.isEmpty, !e.deleted else { return }
        throw NodeError("the \(side) version of record \(e.id) is a masked copy (\(e.masked.joined(separator: ", ")) masked: this node has no personal-information grant from its writer); keep the other version, or give the corrected record as --keep FILE", kind: .data)
    }
}
