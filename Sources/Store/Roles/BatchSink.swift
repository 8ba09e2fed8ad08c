/// Where remote versions go: batches from peers (pushed, pulled, or read from
/// an export file) and the cursors that say how far each peer is.
public protocol BatchSink: Sendable {
    var nodeID: String { get }
    var epoch: String { get }

    /// Applies batches of remote versions, in order, in one transaction, each
    /// together with its batch id and the cursor it advances (so a crash keeps
    /// all of them or none). A batch id seen before returns the stored result
    /// and changes nothing. One transaction for several batches of a pull writes
    /// each index page touched once instead of once per batch.
    func apply(_ batches: [IncomingBatch]) throws -> [BatchResult]

    /// Applies what `next` gives, group after group, until it gives an empty
    /// group; the results in the same order. In one transaction (PostgreSQL:
    /// in transactions of some 20,000 versions, each group whole in one). Lets a caller
    /// that receives batches faster than they are applied put many in one
    /// transaction (each random id dirties an index page, written once per
    /// transaction) without holding them all in memory first.
    func apply(from next: () throws -> [IncomingBatch]) throws -> [BatchResult]

    func cursor(peer: String, direction: CursorDirection) throws -> PeerCursor?
    func setCursor(_ cursor: PeerCursor) throws
}

extension BatchSink {
    /// A backend without a long transaction of its own: a transaction per group.
    public func apply(from next: () throws -> [IncomingBatch]) throws -> [BatchResult] {
        var results: [BatchResult] = []
        while case let batches = try next(), !batches.isEmpty { results += try apply(batches) }
        return results
    }

    /// One batch in its own transaction.
    public func apply(_ batch: IncomingBatch) throws -> BatchResult {
        try apply([batch])[0]
    }
}
