import ArgumentParser
import Capture
import Node
import Standard
import Transport
import JSON

/// `hutong status`: what the node holds and how far it is with each peer.
/// `--json` names what `/v1/status` names the same way.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the node's id, change log, record counts, conflicts, quarantine and peer cursors.")

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var node: NodeOptions

    func run() throws {
        let opened = try node.open()
        let i = try opened.store.info()
        let sources = try opened.sourceStatuses()
        let sinks = try opened.sinkStatuses()
        if json {
            Output.json([
                PeerAPI.Key.node: .string(i.nodeID), PeerAPI.Key.epoch: .string(i.epoch), PeerAPI.Key.lastSeq: .int(i.lastSequence),
                PeerAPI.Key.records: .object(JSONObject(keys: i.recordsByType.keys.sorted(), values: i.recordsByType.keys.sorted().map { .int(Int64(i.recordsByType[$0]!)) })),
                "tombstones": .int(Int64(i.tombstones)), "open_conflicts": .int(Int64(i.openConflicts)), "quarantined": .int(Int64(i.quarantined)),
                "cursors": .array(i.cursors.map { ["peer": .string($0.peer), "direction": .string($0.direction.rawValue), "epoch": .string($0.epoch), "sequence": .int($0.sequence)] }),
                "sources": .array(sources.map(Self.json)),
                "sinks": .array(sinks.map { s in
                    var o = JSONObject(["name": .string(s.settings.name), "database": .string(s.settings.database),
                                        "types": .array(s.settings.types.map { .string($0) }), "written_up_to": .int(s.position)])
                    if let i = s.installed { o["installed"] = .bool(i) }
                    if let p = s.problem { o["problem"] = .string(p) }
                    if let e = s.state?.lastError { o["last_error"] = .string(e) }
                    return .object(o)
                }),
            ])
            return
        }
        print("node \(i.nodeID)  epoch \(i.epoch)  last sequence \(i.lastSequence)")
        let total = i.recordsByType.values.reduce(0, +)
        print("records: \(total)" + (total == 0 ? "" : "  (" + i.recordsByType.keys.sorted().map { "\($0) \(i.recordsByType[$0]!)" }.joined(separator: ", ") + ")"))
        print("tombstones: \(i.tombstones)   open conflicts: \(i.openConflicts)   quarantined: \(i.quarantined)")
        if i.cursors.isEmpty { print("peer cursors: none yet") }
        for c in i.cursors { print("peer \(c.peer) \(c.direction.rawValue): \(c.epoch):\(c.sequence)") }
        for s in sources { print(Self.line(s)) }
        for s in sinks {
            var text = "sink \(s.settings.name) (\(s.settings.database), \(s.settings.types.joined(separator: ", "))): "
            if let p = s.problem { text += "cannot be written: \(p)" } else if s.installed == false { text += "tables not installed (`hutong capture install \(s.settings.name)`)" } else {
                text += "written up to change \(s.position) of \(i.lastSequence)"
            }
            if let e = s.state?.lastError { text += "\n    last error (\(s.state?.lastErrorAt ?? "")): \(e)" }
            print(text)
        }
    }

    /// One source: where it is, what waits, what went wrong last.
    static func line(_ s: Node.SourceStatus) -> String {
        let where_ = "\(s.settings.database)#\(s.settings.table)"
        var parts = ["source \(s.settings.name) (\(s.settings.mode), \(where_)):"]
        if let problem = s.problem {
            parts.append("cannot be read: \(problem)")
        } else if s.installed == false {
            parts.append("triggers not installed (`hutong capture install \(s.settings.name)`)")
        } else {
            parts.append(s.settings.isScan ? ScanSource.describe(s.state?.position) : Self.phase(s.state?.position))
        }
        parts.append("\(s.state?.rows ?? 0) rows stored")
        if let backlog = s.backlog { parts.append("\(backlog) changes waiting") }
        if let ok = s.state?.lastSuccess { parts.append("last read to the end \(ok)") }
        var text = parts[0] + " " + parts.dropFirst().joined(separator: "  ")
        if let e = s.state?.lastError { text += "\n    last error (\(s.state?.lastErrorAt ?? "")): \(e)" }
        return text
    }

    static func phase(_ position: String?) -> String {
        guard let position else { return "snapshot not started" }
        if position == "outbox" { return "snapshot done, following changes" }
        return "snapshot stopped at key \(position.replacingOccurrences(of: "snapshot after ", with: "").dropFirst(2))"
    }

    static func json(_ s: Node.SourceStatus) -> JSONValue {
        var o = JSONObject(["name": .string(s.settings.name), "mode": .string(s.settings.mode), "database": .string(s.settings.database),
                            "table": .string(s.settings.table), "phase": .string(s.settings.isScan ? ScanSource.describe(s.state?.position) : phase(s.state?.position)), "rows": .int(Int64(s.state?.rows ?? 0))])
        if let b = s.backlog { o["backlog"] = .int(Int64(b)) }
        if let i = s.installed { o["installed"] = .bool(i) }
        if let p = s.problem { o["problem"] = .string(p) }
        if let t = s.state?.lastSuccess { o["last_success"] = .string(t) }
        if let e = s.state?.lastError { o["last_error"] = .string(e) }
        return .object(o)
    }
}
