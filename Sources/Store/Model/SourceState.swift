/// How far the node has taken one capture source, as `hutong status` shows it.
public struct SourceState: Sendable, Equatable {
    public let source: String
    /// The source's own text for its position (nil: never read; a snapshot starts).
    public let position: String?
    /// Rows of the source linked to a record in this store.
    public let rows: Int
    /// When the source was last read to the end, and the last error since (nil: none).
    public let lastSuccess: String?
    public let lastError: String?
    public let lastErrorAt: String?

    public init(source: String, position: String?, rows: Int, lastSuccess: String?, lastError: String?, lastErrorAt: String?) {
        self.source = source
        self.position = position
        self.rows = rows
        self.lastSuccess = lastSuccess
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }
}
