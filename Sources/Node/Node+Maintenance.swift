extension Node {
    /// Removes the tombstones every peer has acknowledged and every sink has
    /// written: a deletion must reach them all before its trace may go.
    /// Returns how many. A node without peers keeps its tombstones.
    public func purgeTombstones() throws -> Int {
        guard !configuration.peers.isEmpty else { return 0 }
        let sinks = try configuration.sinks.map { try store.sinkPosition($0.name) }
        return try store.purgeTombstones(peers: configuration.peers.map(\.name), upTo: sinks.min() ?? .max)
    }
}
