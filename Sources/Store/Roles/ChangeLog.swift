import Replication

/// What a store holds and the order it changed in: what peers pull, exports
/// read and the integrity check walks.
public protocol ChangeLog: Sendable {
    /// This node's id, and the random id of its change log.
    var nodeID: String { get }
    var epoch: String { get }

    /// This node's id, epoch and change-log position, and what it holds
    /// (counts every record: not for a loop that asks often).
    func info() throws -> StoreInfo
    /// The change log's last sequence alone: cheap enough to ask every few milliseconds.
    func lastSequence() throws -> Int64

    /// Current versions changed after `since`, in change order, leaving out those
    /// received from `excludingPeer`. `bodies` false leaves each body unparsed
    /// (`body` is `.null`, `bodyText` the stored text): enough to send a version
    /// on as it is, which is most of what serving a peer does.
    func changes(since: Int64, excludingPeer: String?, limit: Int, bodies: Bool) throws -> ChangeSet

    /// The versions `changes` reads, each one of a type `including` admits
    /// appended to `out` as its envelope line (`Envelope.line` and a newline),
    /// written from the stored text without parsing or copying it into
    /// envelopes: what serving a peer that gets versions as they are stored
    /// costs, per record sent.
    func changeLines(since: Int64, excludingPeer: String?, limit: Int, including: (String) -> Bool,
                     into out: inout [UInt8]) throws -> ChangeLines

    /// Every stored record, one at a time, each as its envelope or as why it
    /// cannot be read (`StoreError.corrupt`): what an integrity check walks
    /// without stopping at the first damaged row.
    func scanRecords(_ visit: (Result<Envelope, StoreError>) throws -> Void) throws

    func record(id: String) throws -> Envelope?
    func records(type: String?, after: String?, limit: Int) throws -> [Envelope]
}

extension ChangeLog {
    /// Lines made from envelopes: for a backend without a faster way.
    public func changeLines(since: Int64, excludingPeer: String?, limit: Int, including: (String) -> Bool,
                            into out: inout [UInt8]) throws -> ChangeLines {
        let c = try changes(since: since, excludingPeer: excludingPeer, limit: limit, bodies: false)
        var lines = 0
        for v in c.versions where including(v.type) {
            v.writeLine(into: &out)
            out.append(0x0A)
            lines += 1
        }
        return ChangeLines(lines: lines, scanned: c.versions.count, lastSequence: c.lastSequence)
    }

    /// Current versions changed after `since`, bodies parsed.
    public func changes(since: Int64, excludingPeer: String?, limit: Int) throws -> ChangeSet {
        try changes(since: since, excludingPeer: excludingPeer, limit: limit, bodies: true)
    }
}
