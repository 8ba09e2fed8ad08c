import Foundation

extension Node {
    /// Below this much free space on the store's disk, nothing new can be stored (a SQLite write needs room for its log).
    public static let storeSpaceFull: Int64 = 1 << 20
    /// Below this much, operators are warned.
    public static let storeSpaceLow: Int64 = 256 << 20

    /// Bytes free on the store's file system. A full disk stops every write —
    /// capture, sync, even noting the error in the store — so it is shown
    /// wherever operators look (status, the page, `--explain`, /metrics).
    /// Nil for a store on PostgreSQL: its server's disk is its DBA's to watch.
    public func storeFreeBytes() -> Int64? {
        guard configuration.storeDatabase == nil else { return nil }
        let dir = URL(fileURLWithPath: configuration.storePath).deletingLastPathComponent().path
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: dir) else { return nil }
        return (attributes[.systemFreeSize] as? NSNumber)?.int64Value
    }

    /// "12.5 MB".
    public static func bytesText(_ n: Int64) -> String {
        if n < 1 << 20 { return "\(n >> 10) KB" }
        if n < 1 << 30 { return String(format: "%.1f MB", Double(n) / Double(1 << 20)) }
        return String(format: "%.1f GB", Double(n) / Double(1 << 30))
    }

    /// A sentence when the store's disk is full or nearly so; nil when there is room.
    public func storeSpaceProblem() -> (full: Bool, text: String)? {
        guard let free = storeFreeBytes(), free < Self.storeSpaceLow else { return nil }
        let dir = URL(fileURLWithPath: configuration.storePath).deletingLastPathComponent().path
        if free < Self.storeSpaceFull {
            return (true, "the store's disk is full (\(Self.bytesText(free)) free in \(dir)): nothing new can be stored until space is freed")
        }
        return (false, "the store's disk is nearly full (\(Self.bytesText(free)) free in \(dir))")
    }
}
