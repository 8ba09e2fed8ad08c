import Foundation
import ArgumentParser
import Capture
import Node
import Standard
import Transport
import JSON

/// `hutong status`: what the node holds, how each source, sink and peer is
/// doing (read from the store, so it is the same whether `hutong run` is
/// running or not), and with `--explain` why records do or do not reach each
/// peer. `--json` names what `/v1/status` names the same way.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the node's records, sources, sinks and peers; --explain says why records do or do not reach each peer.",
        discussion: "Exit status with --explain: 0 when every peer gets what it is granted, 1 when a link is broken.")

    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "For each peer and record type, walk capture → mapping → store → grant → peer cursor → transport and name the first broken link.")
    var explain = false
    @Option(name: .customLong("stale-after"), help: "With --explain: seconds a change may wait for a peer before it counts as stuck ([daemon] stale_after_seconds, default 120).")
    var staleAfter: Double?
    @OptionGroup var node: NodeOptions

    func validate() throws {
        if let staleAfter, staleAfter < 0 { throw ValidationError("--stale-after must be a number of seconds, 0 or more") }
    }

    func run() throws {
        let opened = try node.open()
        if explain { return try Self.explain(opened, json: json, staleAfter: staleAfter ?? opened.configuration.daemon.staleAfterSeconds) }
        let i = try opened.store.info()
        let sources = try opened.sourceStatuses()
        let sinks = try opened.sinkStatuses()
        let peers = try opened.peerStatuses()
        if json {
            Output.json([
                PeerAPI.Key.node: .string(i.nodeID), PeerAPI.Key.epoch: .string(i.epoch), PeerAPI.Key.lastSeq: .int(i.lastSequence),
                PeerAPI.Key.records: .object(JSONObject(keys: i.recordsByType.keys.sorted(), values: i.recordsByType.keys.sorted().map { .int(Int64(i.recordsByType[$0]!)) })),
                "tombstones": .int(Int64(i.tombstones)), "store_free_bytes": opened.storeFreeBytes().map { .int($0) } ?? .null, "open_conflicts": .int(Int64(i.openConflicts)), "quarantined": .int(Int64(i.quarantined)),
                "cursors": .array(i.cursors.map { ["peer": .string($0.peer), "direction": .string($0.direction.rawValue), "epoch": .string($0.epoch), "sequence": .int($0.sequence)] }),
                "sources": .array(sources.map(Self.json)),
                "peers": .array(peers.map(Self.json)),
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
        if opened.configuration.storeDatabase != nil {
            print("store: \(opened.configuration.storeName)")
        } else if let free = opened.storeFreeBytes() {
            print("store: \(opened.configuration.storePath), \(Node.bytesText(free)) free on its disk" + (opened.storeSpaceProblem().map { " — \($0.full ? "FULL" : "LOW"): \($0.text)" } ?? ""))
        }
        if peers.isEmpty { print("peers: none configured") }
        for p in peers { print(Self.line(p)) }
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

    /// One peer: our last sync with it, its last call here, what it lacks, what went wrong.
    static func line(_ p: PeerStatus, now: Date = Date()) -> String {
        let c = p.contact
        var text = p.entry.isFileLink
            ? "peer \(p.entry.name) (files at \(Node.linkFolder(p.entry))): \(p.lagText(now: now));  last bundle from it applied \(Age.ago(c.lastSync, now: now));  its last acknowledgement \(Age.ago(c.lastCalled, now: now))"
            : "peer \(p.entry.name) (\(p.entry.url)): \(p.lagText(now: now));  last sync \(Age.ago(c.lastSync, now: now));  called here \(Age.ago(c.lastCalled, now: now))"
        if let e = c.lastError {
            text += "\n    failing since \(Age.ago(c.failingSince ?? c.lastErrorAt, now: now)): \(e)"
        }
        return text
    }

    static func json(_ p: PeerStatus) -> JSONValue {
        let c = p.contact
        func time(_ d: Date?) -> JSONValue { d.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null }
        var o = JSONObject(["name": .string(p.entry.name), "url": .string(p.entry.url), "has_up_to": .int(p.hasUpTo),
                            "lacks": .int(Int64(p.pending.count)), "lag_seconds": .double(p.lagSeconds()),
                            "last_sync": time(c.lastSync), "last_called": time(c.lastCalled)])
        if let e = c.lastError { o["last_error"] = .string(e); o["failing_since"] = time(c.failingSince) }
        if let push = p.push { o["push_cursor"] = .string("\(push.epoch):\(push.sequence)") }
        if let pull = p.pull { o["pull_cursor"] = .string("\(pull.epoch):\(pull.sequence)") }
        return .object(o)
    }

    /// `--explain`: one line per peer and type, the walk under each that is not syncing.
    static func explain(_ node: Node, json: Bool, staleAfter: Double) throws {
        let all = try node.explain(staleAfter: staleAfter)
        let broken = all.contains { $0.state == .broken }
        if json {
            Output.json(.array(all.map { x in
                ["peer": .string(x.peer), "type": .string(x.type), "state": .string(x.state.rawValue), "summary": .string(x.summary),
                 "links": .array(x.links.map { ["stage": .string($0.stage.rawValue), "state": .string($0.state.rawValue), "text": .string($0.text)] })]
            }))
        } else if all.isEmpty {
            print(node.configuration.peers.isEmpty ? "no peers configured in \(node.configuration.file.path): nothing is synced" : "nothing to explain: no record type is granted, captured or stored")
        } else {
            let marks: [Explanation.State: String] = [.ok: "ok  ", .warning: "note", .idle: "idle", .off: "off ", .broken: "FAIL"]
            for x in all {
                print("\(marks[x.state]!) \(x.summary)")
                guard x.state == .broken || x.state == .warning else { continue }
                for l in x.links {
                    let mark = l.state == .ok ? "✓" : (l.state == .warning ? "!" : "✗")
                    print("       \(mark) \(l.stage.rawValue): \(l.text)")
                    if l.state == .broken || l.state == .off || l.state == .idle { break }
                }
            }
        }
        if broken { throw ExitCode(1) }
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
