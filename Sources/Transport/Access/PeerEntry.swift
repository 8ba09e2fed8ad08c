/// A configured peer as the server and the sync see it.
public struct PeerEntry: Sendable {
    /// The peer's node id.
    public let name: String
    public let url: String
    /// `sha256//BASE64` of the peer's TLS public key.
    public let pin: String?
    public let signingKey: PeerKey
    public let signingKeyBase64: String
    /// What the peer may do here.
    public let grants: PeerGrants

    /// A peer reached by bundle files only (`url = "file:///folder"`: the folder a
    /// transfer device carries), never over a connection.
    public var isFileLink: Bool { url.hasPrefix("file://") }

    public init(name: String, url: String, pin: String?, signingKey: String, grants: PeerGrants) throws {
        self.name = name; self.url = url; self.pin = pin; self.grants = grants
        self.signingKey = try PeerKey(base64: signingKey)
        signingKeyBase64 = signingKey
    }
}
