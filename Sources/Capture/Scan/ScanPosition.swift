import Foundation

/// How far a scanned source is read, as the store keeps it: when the last
/// full scan began (rows changed since then are seen by the next one), and
/// the watermark the next incremental scan reads from.
struct ScanPosition: Equatable {
    var fullScanAt: Date?
    var watermark: String?

    static let prefix = "scan"

    /// "scan FULL_SCAN_SECONDS WATERMARK": the watermark last, as it may hold spaces.
    var text: String {
        [Self.prefix, fullScanAt.map { String(Int64($0.timeIntervalSince1970)) } ?? "-", watermark].compactMap { $0 }.joined(separator: " ")
    }

    init(fullScanAt: Date? = nil, watermark: String? = nil) {
        self.fullScanAt = fullScanAt
        self.watermark = watermark
    }

    /// nil for text that is not a scan's position.
    init?(_ text: String) {
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.first == Substring(Self.prefix) else { return nil }
        fullScanAt = parts.count > 1 ? Int64(parts[1]).map { Date(timeIntervalSince1970: TimeInterval($0)) } : nil
        watermark = parts.count > 2 ? String(parts[2]) : nil
    }
}

extension ScanSource {
    /// A scanned source's position in words, for `hutong status`.
    public static func describe(_ position: String?) -> String {
        guard let position, let scan = ScanPosition(position) else { return "not scanned yet" }
        var text = scan.fullScanAt.map { "last full scan began \(ISO8601DateFormatter().string(from: $0))" } ?? "no full scan yet"
        if let w = scan.watermark { text += ", watermark \(w.hasPrefix("t:") || w.hasPrefix("i:") || w.hasPrefix("r:") ? String(w.dropFirst(2)) : w)" }
        return text
    }
}
