/// The peer API's names, written once for the server, the client and
/// `hutong peers check` (`Schemas/api/peer-api.json` describes them).
public enum PeerAPI {
    public static let health = "/v1/health"
    public static let status = "/v1/status"
    public static let changes = "/v1/changes"
    public static let batches = "/v1/batches"

    /// Query parameters.
    public enum Query {
        /// `EPOCH:SEQ`: the caller's cursor in this node's change log.
        public static let since = "since"
        /// Records per batch.
        public static let limit = "limit"
        /// Batches in one answer, sent back to back.
        public static let batches = "batches"
        /// `false`: the status answer leaves out the record counts (they read the whole store).
        public static let records = "records"
    }

    /// Members of the JSON answers.
    public enum Key {
        public static let node = "node"
        public static let epoch = "epoch"
        public static let schemaVersion = "schema_version"
        public static let yourGrants = "your_grants"
        public static let records = "records"
        public static let lastSeq = "last_seq"
        public static let status = "status"
        public static let `protocol` = "protocol"
        public static let counts = "counts"
        public static let rejected = "rejected"
        /// An error answer: `{"error": {"code": …, "message": …}}`.
        public static let error = "error"
        public static let code = "code"
        public static let message = "message"
    }

    /// Batches travel as NDJSON, gzip on the wire.
    public static let batchContentType = "application/x-ndjson"

    /// The path and query of a pull.
    public static func changesRequest(since: String?, limit: Int, batches: Int) -> String {
        var q = "\(changes)?"
        if let since { q += "\(Query.since)=\(since)&" }
        return q + "\(Query.limit)=\(limit)&\(Query.batches)=\(batches)"
    }
}
