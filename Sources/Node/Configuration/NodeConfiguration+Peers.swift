import Foundation
import Transport

extension NodeConfiguration {
    /// Appends a `[[peers]]` table to the file at `url`, then reads the file
    /// again: a peer that would leave it unreadable is taken back out.
    static func appendPeer(name: String, url peerURL: String, pin: String?, signingKey: String, grants: PeerGrants, to url: URL) throws {
        func list(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        let block = """

            [[peers]]
            name = "\(name)"
            url = "\(peerURL)"
            \(pin.map { "pin = \"\($0)\"" } ?? (peerURL.hasPrefix("file://") ? "# reached by bundle files only (hutong bundle): no connection, no pin" : "# no pin: plain HTTP on loopback only"))
            signing_key = "\(signingKey)"
            # What \(name) may do here; anything not listed is denied.
            grants = { pull = \(list(grants.pull.sorted())), push = \(list(grants.push.sorted())), regions = \(list(grants.regions)), personal = \(grants.personal) }

            """
        let before: Data
        do { before = try Data(contentsOf: url) } catch { throw ConfigurationError("cannot read \(url.path): \(error.localizedDescription)") }
        guard let handle = FileHandle(forWritingAtPath: url.path) else { throw ConfigurationError("cannot write \(url.path)") }
        handle.seekToEndOfFile()
        handle.write(Data(block.utf8))
        handle.closeFile()
        do { _ = try load(path: url.path) } catch {
            try? before.write(to: url)
            throw ConfigurationError("\(url.path) would no longer read with peer \(name), so it was left as it was: \(error)")
        }
    }
}
