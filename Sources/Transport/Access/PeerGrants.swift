import Standard
import JSON

/// What a peer may do at this node; everything not granted is denied
/// (docs/architecture.md, "Security").
public struct PeerGrants: Sendable, Equatable {
    /// Record types the peer may pull from us.
    public var pull: Set<String>
    /// Record types the peer may push to us.
    public var push: Set<String>
    /// Administrative-division prefixes (e.g. "31" for Shanghai) a record's
    /// `region` must start with; empty means every region.
    public var regions: [String]
    /// Whether the peer sees personal information unmasked.
    public var personal: Bool

    public init(pull: Set<String> = [], push: Set<String> = [], regions: [String] = [], personal: Bool = false) {
        self.pull = pull; self.push = push; self.regions = regions; self.personal = personal
    }

    public static let none = PeerGrants()

    /// Whether the peer may write a record of `type` with this body here.
    public func allowsPush(type: String, body: JSONValue) -> Bool { allows(push, type: type, body: body) }

    /// Whether the peer may read a record of `type` with this body from here.
    public func allowsPull(type: String, body: JSONValue) -> Bool { allows(pull, type: type, body: body) }

    /// Whether a record of `type` with this body is inside the grant of `types` and regions.
    public func allows(_ types: Set<String>, type: String, body: JSONValue) -> Bool {
        guard types.contains(type) else { return false }
        guard !regions.isEmpty else { return true }
        // Tombstones carry no body: the type grant decides.
        guard let region = body["region"]?.stringValue else { return body.objectValue?.isEmpty ?? false }
        return regions.contains { region.hasPrefix($0) }
    }

    /// Whether deciding what this peer gets of a record (`allows`, masking)
    /// reads the record's body.
    public func readsBodies(pulling: Bool) -> Bool { !regions.isEmpty || (pulling && !personal) }

    public var json: JSONValue {
        ["pull": .array(pull.sorted().map { .string($0) }), "push": .array(push.sorted().map { .string($0) }),
         "regions": .array(regions.map { .string($0) }), "personal": .bool(personal)]
    }

    public init(json: JSONValue) {
        pull = Set(json["pull"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        push = Set(json["push"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        regions = json["regions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        personal = json["personal"]?.boolValue ?? false
    }

    /// The grant as stored with a cursor.
    public var text: String { JSONWriter.string(json, style: .canonical) }

    public init?(text: String) {
        guard let v = try? JSONParser.parse(text) else { return nil }
        self.init(json: v)
    }

    /// Whether this grant lets through something `old` did not, in one
    /// direction: a type, a region, or (pulls) personal information. A cursor
    /// that moved under `old` skipped those records, so it must start over.
    public func widens(_ old: PeerGrants, pulling: Bool) -> Bool {
        let (new, before) = pulling ? (pull, old.pull) : (push, old.push)
        if !new.isSubset(of: before) { return true }
        if pulling && personal && !old.personal { return true }
        if old.regions.isEmpty { return false }
        return regions.isEmpty || regions.contains { r in !old.regions.contains { r.hasPrefix($0) } }
    }
}
