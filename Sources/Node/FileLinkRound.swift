import Foundation
import Transport

/// What one look at a file-link peer's folder did.
public struct FileLinkRound: Sendable {
    public let peer: String
    /// Bundles written into `out/` for the peer.
    public var written: [BundleWriter.Part] = []
    /// Files taken from `in/`.
    public var applied: [BundleApplied] = []
    public var acknowledgements: [AcknowledgementApplied] = []
    /// Files moved to `in/refused/`, with why.
    public var refused: [String] = []
    /// The folder could not be used at all.
    public var error: String?

    public init(peer: String) { self.peer = peer }
}
