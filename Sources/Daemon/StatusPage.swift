import Foundation
import Node
import Transport

/// The operators' page on the admin listener (`/`): the node, its sources
/// and sinks, its peers, quarantine and conflicts at a glance, with Chinese
/// and English labels; plain HTML and CSS that reloads itself every five
/// seconds. Everything on it is escaped: a peer's error text is data.
struct StatusPage {
    let node: Node
    let readiness: String?
    /// How old a change a peer lacks may be before it counts as stuck.
    let staleAfter: TimeInterval

    func html(now: Date = Date()) -> String {
        let c = node.configuration
        let info = try? node.store.info()
        let sources = (try? node.sourceStatuses()) ?? []
        let sinks = (try? node.sinkStatuses()) ?? []
        let peers = (try? node.peerStatuses()) ?? []
        let explained = (try? node.explain(now: now, staleAfter: staleAfter, info: info, sources: sources, peers: peers)) ?? []
        let space = node.storeSpaceProblem()
        var out = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
            <title>互通 Hutong · \(e(c.nodeID))</title>
            <style>
            body{font:14px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:1.5em;color:#222}
            h1{font-size:1.4em;margin:0 0 .2em} h2{font-size:1.1em;margin:1.4em 0 .4em;border-bottom:1px solid #ccc}
            table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #eee;vertical-align:top}
            th{background:#f4f4f4;font-weight:600} .ok{color:#1a7f37} .bad{color:#b42318;font-weight:600} .muted{color:#777}
            .figures span{display:inline-block;margin-right:2em}
            </style></head><body>
            <h1>互通 Hutong · 节点 node <span id="node">\(e(c.nodeID))</span></h1>
            <p class="muted">\(readiness == nil ? "<span class=\"ok\" id=\"state\">运行中 running</span>" : "<span class=\"bad\" id=\"state\">\(e(readiness!))</span>") · 更新于 updated \(e(LineLogHandler.stamp.format(now)))</p>
            <p class="figures"><span>记录 records: <b id="records">\(info.map { $0.recordsByType.values.reduce(0, +) } ?? 0)</b></span>
            <span>变更序号 change log: <b>\(info?.lastSequence ?? 0)</b></span>
            <span>待处理冲突 open conflicts: <b id="conflicts" class="\((info?.openConflicts ?? 0) > 0 ? "bad" : "ok")">\(info?.openConflicts ?? 0)</b></span>
            <span>隔离区 quarantined: <b id="quarantined" class="\((info?.quarantined ?? 0) > 0 ? "bad" : "ok")">\(info?.quarantined ?? 0)</b></span>
            <span>磁盘剩余 disk free: <b id="disk" class="\(space == nil ? "ok" : "bad")">\(node.storeFreeBytes().map(Node.bytesText) ?? "?")</b></span></p>
            \(space.map { "<p class=\"bad\" id=\"space\">\(e($0.text))</p>" } ?? "")

            """
        out += "<h2>数据来源 Sources</h2>\n"
        if sources.isEmpty { out += "<p class=\"muted\">无 none configured</p>\n" } else {
            out += "<table id=\"sources\"><tr><th>名称 name</th><th>方式 mode</th><th>表 table</th><th>已存行 rows</th><th>待取变更 waiting</th><th>状态 state</th></tr>\n"
            for s in sources {
                let problem = s.problem ?? s.state?.lastError ?? (s.installed == false ? "triggers not installed" : nil)
                out += "<tr><td>\(e(s.settings.name))</td><td>\(e(s.settings.mode))</td><td>\(e(s.settings.table))</td><td>\(s.state?.rows ?? 0)</td>"
                out += "<td>\(s.backlog.map(String.init) ?? "–")</td><td>\(problem.map { "<span class=\"bad\">\(e($0))</span>" } ?? "<span class=\"ok\">正常 ok</span>")</td></tr>\n"
            }
            out += "</table>\n"
        }
        if !sinks.isEmpty {
            out += "<h2>写回 Sinks</h2>\n<table id=\"sinks\"><tr><th>名称 name</th><th>数据库 database</th><th>已写到 written up to</th><th>状态 state</th></tr>\n"
            for s in sinks {
                let problem = s.problem ?? s.state?.lastError ?? (s.installed == false ? "tables not installed" : nil)
                out += "<tr><td>\(e(s.settings.name))</td><td>\(e(s.settings.database))</td><td>\(s.position) / \(info?.lastSequence ?? 0)</td>"
                out += "<td>\(problem.map { "<span class=\"bad\">\(e($0))</span>" } ?? "<span class=\"ok\">正常 ok</span>")</td></tr>\n"
            }
            out += "</table>\n"
        }
        out += "<h2>对端节点 Peers</h2>\n"
        if c.peers.isEmpty { out += "<p class=\"muted\">无 none configured</p>\n" } else {
            out += "<table id=\"peers\"><tr><th>节点 peer</th><th>地址 address</th><th>最近同步 last sync</th><th>对方来访 last called here</th><th>未送达 lacks</th><th>状态 state</th></tr>\n"
            for p in peers {
                let h = p.contact
                let state = h.lastError.map { "<span class=\"bad\">\(e($0))</span>" } ?? (h.lastSync == nil ? "<span class=\"muted\">尚未同步 not yet</span>" : "<span class=\"ok\">正常 ok</span>")
                // A file link: its folder; "last sync" is the last bundle applied from it, "called" its last acknowledgement.
                let address = p.entry.isFileLink ? "文件交换 files at \(Node.linkFolder(p.entry))" : p.entry.url
                out += "<tr><td>\(e(p.entry.name))</td><td>\(e(address))</td><td>\(e(Age.ago(h.lastSync, now: now)))</td><td>\(e(Age.ago(h.lastCalled, now: now)))</td>"
                out += "<td class=\"lag\">\(p.pending.count == 0 ? "0" : "\(p.pending.count)\(p.pending.more ? "+" : "") (\(e(Age.text(p.lagSeconds(now: now)))))")</td><td>\(state)</td></tr>\n"
            }
            out += "</table>\n"
            out += "<h2>为何未同步 Why not syncing</h2>\n<ul id=\"explain\">\n"
            let stuck = explained.filter { $0.state == .broken || $0.state == .warning }
            if stuck.isEmpty { out += "<li class=\"ok\">每条链路正常 every link works</li>\n" }
            for x in stuck { out += "<li class=\"\(x.state == .broken ? "bad" : "muted")\">\(e(x.summary))</li>\n" }
            let off = explained.filter { $0.state == .off || $0.state == .idle }
            if !off.isEmpty { out += "<li class=\"muted\">未共享或无数据 not shared or nothing to send: \(e(off.map { "\($0.type) → \($0.peer)" }.joined(separator: ", ")))</li>\n" }
            out += "</ul>\n"
        }
        return out + "<p class=\"muted\">hutong status · /metrics · /healthz · /readyz</p>\n</body></html>\n"
    }

    /// HTML-escaped text.
    func e(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
