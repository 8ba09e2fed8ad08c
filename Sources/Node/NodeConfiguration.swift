import Foundation
import TOMLKit

/// `hutong.toml`: the one configuration file of a node (DESIGN.md,
/// Configuration and state). Relative paths are relative to the file.
public struct NodeConfiguration: Sendable {
    public let file: URL
    public let nodeID: String
    public let storePath: String
    public let maxClockSkewSeconds: Int

    /// Where commands look for the file when none is named.
    public static func defaultPath() -> String {
        if let p = ProcessInfo.processInfo.environment["HUTONG_CONFIG"] { return p }
        if FileManager.default.fileExists(atPath: "hutong.toml") { return "hutong.toml" }
        return "/etc/hutong/hutong.toml"
    }

    public static func load(path: String) throws -> NodeConfiguration {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ConfigurationError("cannot read \(path); run `hutong init` to create a node, or pass --config FILE")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigurationError("\(path):\(e.source.begin.line):\(e.source.begin.column): \(e.description)")
        }
        guard let node = table["node"]?.table, let id = node["id"]?.string else {
            throw ConfigurationError("\(path): [node] id is missing")
        }
        guard NodeID.isValid(id) else { throw ConfigurationError("\(path): [node] id \"\(id)\": \(NodeID.rule)") }
        let store = table["store"]?.table
        let storePath = store?["path"]?.string ?? "hutong.sqlite"
        let skew = store?["max_clock_skew_seconds"]?.int ?? 60
        guard skew > 0 else { throw ConfigurationError("\(path): [store] max_clock_skew_seconds must be positive") }
        let resolved = storePath.hasPrefix("/") ? storePath : url.deletingLastPathComponent().appendingPathComponent(storePath).path
        return NodeConfiguration(file: url, nodeID: id, storePath: resolved, maxClockSkewSeconds: skew)
    }

    /// The commented file `hutong init` writes.
    public static func template(nodeID: String) -> String {
        """
        # Hutong node configuration (written by `hutong init`).
        # Relative paths are relative to this file.

        [node]
        # This node's id: lower-case letters, digits and '-', starting with a letter.
        # An id is never reused: a node restored from a backup takes a new one,
        # or its version counters would repeat.
        id = "\(nodeID)"

        [store]
        # The embedded node store (SQLite, WAL mode).
        path = "hutong.sqlite"
        # A peer's clock may be at most this many seconds ahead of ours; versions
        # from further ahead are refused and quarantined.
        max_clock_skew_seconds = 60

        # Peers ([[peers]]) and capture sources ([[sources]]) are added here as
        # those capabilities arrive; see the README.

        """
    }
}

public enum NodeID {
    public static let rule = "a node id is 2–63 characters: lower-case letters, digits and '-', starting with a letter"

    public static func isValid(_ id: String) -> Bool {
        let u = Array(id.utf8)
        guard (2...63).contains(u.count), let f = u.first, f >= UInt8(ascii: "a"), f <= UInt8(ascii: "z") else { return false }
        return u.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
