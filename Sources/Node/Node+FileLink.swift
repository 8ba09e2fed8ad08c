import Foundation
import Transport

/// A peer reached by files (`url = "file:///FOLDER"`): the transfer device
/// copies `FOLDER/out/` to the other side and drops what comes from there into
/// `FOLDER/in/`. The daemon looks at the folder on its schedule: it applies
/// what came in (bundles, and acknowledgements of ours), moving each file to
/// `in/applied/` or `in/refused/` (nothing is deleted), and writes a bundle
/// into `out/` once the device has taken the last one, when the peer lacks
/// changes the last one did not hold. A bundle starts where the peer last
/// acknowledged, so each covers what any lost before it held.
extension Node {
    static let linkOut = "out", linkIn = "in", linkApplied = "applied", linkRefused = "refused"

    /// The folder a file-link peer's url names.
    public static func linkFolder(_ p: PeerEntry) -> String {
        URL(string: p.url)?.path ?? String(p.url.dropFirst("file://".count))
    }

    /// One look at the folder. `settleSeconds`: a file in `in/` is taken only
    /// once it has not changed for that long (the device may still be writing
    /// it). `lastWritten`: the name of the last bundle written for the peer
    /// (kept by the caller between looks), so the same range is not written
    /// twice while its acknowledgement is on the way.
    /// `stop`: asked between files and batches; true leaves the rest for the next start.
    public func exchangeFiles(with p: PeerEntry, settleSeconds: TimeInterval = 10, now: Date = Date(), lastWritten: inout String?,
                              stop: @escaping () -> Bool = { false }) -> FileLinkRound {
        var round = FileLinkRound(peer: p.name)
        let fm = FileManager.default
        let folder = Self.linkFolder(p)
        let out = (folder as NSString).appendingPathComponent(Self.linkOut)
        let inbox = (folder as NSString).appendingPathComponent(Self.linkIn)
        let applied = (inbox as NSString).appendingPathComponent(Self.linkApplied)
        let refused = (inbox as NSString).appendingPathComponent(Self.linkRefused)
        do {
            for d in [out, inbox, applied, refused] { try fm.createDirectory(atPath: d, withIntermediateDirectories: true) }
        } catch {
            round.error = "cannot use the link folder \(folder) of \(p.name): \(error.localizedDescription); create it, writable by this user"
            return round
        }

        // What came in, oldest name first.
        let names = ((try? fm.contentsOfDirectory(atPath: inbox)) ?? []).sorted()
        for name in names where !name.hasPrefix(".") && !name.hasSuffix(".tmp") && !stop() {
            let path = (inbox as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) >= settleSeconds else { continue }
            var why: String?
            if Self.isBundle(path) {
                let r = applyBundle(path, acknowledgeInto: out, stop: stop)
                // Stopped midway: the file stays in in/, and is applied whole at the next start.
                if r.stopped { break }
                round.applied.append(r)
                why = r.refused
            } else {
                let r = applyAcknowledgement(path)
                round.acknowledgements.append(r)
                why = r.refused
            }
            if let why { round.refused.append("\(name): \(why)") }
            Self.move(path, into: why == nil ? applied : refused)
        }
        // Only the newest acknowledgement of ours waits in out/: it covers the older ones.
        Self.keepNewest(in: out, prefix: "ack-\(configuration.nodeID)-to-\(p.name)-")

        // What the peer lacks, once the device took the last bundle (rewriting a
        // growing range while one waits would read the log again and again).
        do {
            let prefix = "bundle-\(configuration.nodeID)-to-\(p.name)-"
            let waiting = ((try? fm.contentsOfDirectory(atPath: out)) ?? []).contains { $0.hasPrefix(prefix) }
            let start = try BundleCursor.start(store, epoch: store.epoch, peer: p)
            let last = try store.lastSequence()
            let name = "\(prefix)\(start)-\(last).hb"
            if !waiting && last > start && name != lastWritten && !stop() {
                round.written = try createBundle(forPeer: p.name, to: (out as NSString).appendingPathComponent(name), stop: stop)
                lastWritten = name
            }
        } catch {
            round.error = "writing a bundle for \(p.name) into \(out): \(error)"
        }
        return round
    }

    /// Moves `path` into `folder`, under a new name when one of the same name is there.
    static func move(_ path: String, into folder: String) {
        let fm = FileManager.default
        let name = (path as NSString).lastPathComponent
        var target = (folder as NSString).appendingPathComponent(name)
        var n = 1
        while fm.fileExists(atPath: target) {
            n += 1
            target = (folder as NSString).appendingPathComponent("\(name).\(n)")
        }
        try? fm.moveItem(atPath: path, toPath: target)
    }

    /// Of the files `prefix`N.json in `folder`, keeps the one of the highest N.
    static func keepNewest(in folder: String, prefix: String) {
        let fm = FileManager.default
        let found = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).compactMap { name -> (String, Int64)? in
            guard name.hasPrefix(prefix), name.hasSuffix(".json"), let n = Int64(name.dropFirst(prefix.count).dropLast(".json".count)) else { return nil }
            return (name, n)
        }
        guard let newest = found.max(by: { $0.1 < $1.1 }) else { return }
        for (name, _) in found where name != newest.0 { try? fm.removeItem(atPath: (folder as NSString).appendingPathComponent(name)) }
    }
}
