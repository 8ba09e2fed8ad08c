import ArgumentParser
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
        let i = try node.open().store.info()
        if json {
            Output.json([
                PeerAPI.Key.node: .string(i.nodeID), PeerAPI.Key.epoch: .string(i.epoch), PeerAPI.Key.lastSeq: .int(i.lastSequence),
                PeerAPI.Key.records: .object(JSONObject(keys: i.recordsByType.keys.sorted(), values: i.recordsByType.keys.sorted().map { .int(Int64(i.recordsByType[$0]!)) })),
                "tombstones": .int(Int64(i.tombstones)), "open_conflicts": .int(Int64(i.openConflicts)), "quarantined": .int(Int64(i.quarantined)),
                "cursors": .array(i.cursors.map { ["peer": .string($0.peer), "direction": .string($0.direction.rawValue), "epoch": .string($0.epoch), "sequence": .int($0.sequence)] }),
            ])
            return
        }
        print("node \(i.nodeID)  epoch \(i.epoch)  last sequence \(i.lastSequence)")
        let total = i.recordsByType.values.reduce(0, +)
        print("records: \(total)" + (total == 0 ? "" : "  (" + i.recordsByType.keys.sorted().map { "\($0) \(i.recordsByType[$0]!)" }.joined(separator: ", ") + ")"))
        print("tombstones: \(i.tombstones)   open conflicts: \(i.openConflicts)   quarantined: \(i.quarantined)")
        if i.cursors.isEmpty { print("peer cursors: none yet") }
        for c in i.cursors { print("peer \(c.peer) \(c.direction.rawValue): \(c.epoch):\(c.sequence)") }
    }
}
