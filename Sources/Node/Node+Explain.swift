import Foundation
import Normalise
import Store
import Transport

extension Node {
    /// Why records do or do not reach each peer: one `Explanation` per peer
    /// and record type that concerns it (a type granted to it, captured here or
    /// stored here). Reads the store and the configuration; contacts no one.
    /// - Parameters:
    ///   - staleAfter: how old the oldest change a peer lacks may be before
    ///     that counts as stuck rather than on its way.
    ///   - info, sources, peers: what the caller has already read (the status
    ///     page), so that the store is not counted twice; nil: read here.
    public func explain(now: Date = Date(), staleAfter: TimeInterval = 120, info: StoreInfo? = nil,
                        sources: [SourceStatus]? = nil, peers: [PeerStatus]? = nil) throws -> [Explanation] {
        let info = try info ?? store.info()
        let sources = try sources ?? sourceStatuses()
        // Each source's record type, as its mapping says (a mapping that does not load is the source's problem).
        var sourceTypes: [(status: SourceStatus, type: String?, mappingFile: String?, loadError: String?)] = []
        for s in sources {
            do {
                let m = try Self.loadMapping(s.settings.mapping, schemas: catalog.directory)
                sourceTypes.append((s, m.recordType, m.file, nil))
            } catch {
                sourceTypes.append((s, nil, nil, error.description))
            }
        }
        let statuses = try peers ?? peerStatuses()
        let certificateExpiry = configuration.tls.flatMap { TLSExpiry.notAfter(certificateFile: $0.certificate) }
        let space = storeSpaceProblem()
        var out: [Explanation] = []
        for peer in statuses {
            let p = peer.entry
            var types = p.grants.pull
            types.formUnion(sourceTypes.compactMap(\.type))
            types.formUnion(info.recordsByType.filter { $0.value > 0 }.keys)
            for type in types.sorted() {
                var links: [Explanation.Link] = []
                func link(_ stage: Explanation.Stage, _ state: Explanation.State, _ text: String) {
                    links.append(Explanation.Link(stage: stage, state: state, text: text))
                }
                // Capture: every source of the type read to its end without error.
                let own = sourceTypes.filter { $0.type == type || $0.type == nil }
                if own.isEmpty {
                    link(.capture, .ok, "no source here maps to \(type); its records come by import or from peers")
                } else if let bad = own.first(where: { $0.loadError != nil || $0.status.problem != nil || $0.status.installed == false || $0.status.state?.lastError != nil }) {
                    let s = bad.status
                    let name = s.settings.name
                    if let e = bad.loadError {
                        link(.capture, .broken, "the mapping of source \(name) does not load: \(e)")
                    } else if let problem = s.problem {
                        link(.capture, .broken, "source \(name) cannot be read: \(problem)")
                    } else if s.installed == false {
                        link(.capture, .broken, "the triggers of source \(name) are not installed: run `hutong capture install \(name)`")
                    } else {
                        link(.capture, .broken, "reading source \(name) failed \(Age.ago(s.state?.lastErrorAt.flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) }, now: now)): \(s.state?.lastError ?? "")")
                    }
                } else {
                    let names = own.map(\.status.settings.name).joined(separator: ", ")
                    let waiting = own.compactMap(\.status.backlog).reduce(0, +)
                    link(.capture, .ok, "source \(names) read" + (waiting > 0 ? "; \(waiting) changes waiting there to be read" : " to the end"))
                }
                // Mapping: rows that did not become records wait in the quarantine.
                let quarantined = own.compactMap { s -> (String, Int)? in
                    guard let file = s.mappingFile, let n = try? store.quarantinedPlaces(mapping: file).count, n > 0 else { return nil }
                    return (s.status.settings.name, n)
                }
                if own.isEmpty {
                    link(.mapping, .ok, "no mapping involved")
                } else if quarantined.isEmpty {
                    link(.mapping, .ok, "no row is quarantined")
                } else {
                    link(.mapping, .warning, quarantined.map { "\($0.1) rows of source \($0.0) are quarantined" }.joined(separator: ", ")
                         + " (`hutong quarantine list`; after fixing the mapping, `hutong quarantine retry`)")
                }
                // Store: something of the type to pass on.
                let stored = info.recordsByType[type] ?? 0
                if let space, space.full {
                    link(.store, .broken, space.text)
                } else if stored == 0 {
                    link(.store, .idle, "no \(type) record is stored here yet, so there is nothing to send")
                } else if let space {
                    link(.store, .warning, "\(stored) \(type) records stored, but \(space.text)")
                } else {
                    link(.store, .ok, "\(stored) \(type) records stored")
                }
                // Grant: what this node lets the peer have.
                if !p.grants.pull.contains(type) {
                    link(.grant, .off, "\(p.name) is not granted \(type) (add \"\(type)\" to grants.pull of [[peers]] \(p.name) in \(configuration.file.path) if it should have it)")
                } else if !p.grants.regions.isEmpty {
                    link(.grant, .ok, "\(p.name) may have \(type) of regions \(p.grants.regions.joined(separator: ", "))" + (p.grants.personal ? "" : ", personal information masked"))
                } else {
                    link(.grant, .ok, "\(p.name) may have \(type)" + (p.grants.personal ? "" : ", personal information masked"))
                }
                // Cursor: what of the change log the peer still lacks.
                let pending = try store.pendingChanges(for: p.name, after: peer.hasUpTo, type: type, limit: Self.pendingLimit)
                if pending.count == 0 {
                    link(.cursor, .ok, "\(p.name) has every \(type) change")
                } else {
                    let age = pending.oldestMillis.map { now.timeIntervalSince1970 - Double($0) / 1_000 } ?? 0
                    let what = "\(p.name) lacks \(pending.count)\(pending.more ? "+" : "") \(type) changes, the oldest \(Age.text(age)) old"
                    link(.cursor, age > staleAfter ? .broken : .ok, age > staleAfter ? what : what + ", on their way")
                }
                // Transport: this node's syncs with the peer, the peer's calls here, this node's certificate.
                let c = peer.contact
                if p.isFileLink {
                    let folder = Node.linkFolder(p)
                    if let error = c.lastError {
                        link(.transport, .broken, "a file from \(p.name) was refused \(Age.ago(c.lastErrorAt, now: now)) (moved to \(folder)/in/refused): \(error)")
                    } else if c.lastCalled == nil && pending.count > 0 {
                        link(.transport, .broken, "\(p.name) has never acknowledged a bundle: check that the transfer device carries \(folder)/out to \(p.name) and brings its files back into \(folder)/in")
                    } else {
                        link(.transport, .ok, "reached by files at \(folder): its last acknowledgement \(Age.ago(c.lastCalled, now: now)), the last bundle from it applied \(Age.ago(c.lastSync, now: now))")
                    }
                } else if let expiry = certificateExpiry, expiry < now {
                    link(.transport, .broken, "this node's certificate (\(configuration.tls!.certificate)) expired \(Age.ago(expiry, now: now)); every peer refuses it until it is renewed")
                } else if let error = c.lastError {
                    link(.transport, .broken, "syncs with \(p.name) have failed since \(Age.ago(c.failingSince ?? c.lastErrorAt, now: now)) (\(p.url)): \(error)"
                         + (c.lastCalled.map { "; \(p.name) last called here \(Age.ago($0, now: now))" } ?? "; \(p.name) has never called here"))
                } else if c.lastSync == nil && c.lastCalled == nil {
                    link(.transport, .broken, "no sync with \(p.name) has run yet, and \(p.name) has never called here: start `hutong run`, or check the link with `hutong peers check \(p.name)`")
                } else if let expiry = certificateExpiry, expiry.timeIntervalSince(now) < 14 * 86_400 {
                    link(.transport, .warning, "this node's certificate (\(configuration.tls!.certificate)) expires in \(Age.text(expiry.timeIntervalSince(now))); renew it before then")
                } else {
                    link(.transport, .ok, "last sync \(Age.ago(c.lastSync, now: now)); \(p.name) last called here \(Age.ago(c.lastCalled, now: now))")
                }
                out.append(Explanation(peer: p.name, type: type, links: links))
            }
        }
        return out
    }
}
