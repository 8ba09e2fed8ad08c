import Foundation
import Transport

/// What applying one acknowledgement file did.
public struct AcknowledgementApplied: Sendable {
    public let file: String
    public var acknowledgement: Acknowledgement?
    /// Where the peer's cursor stands after it.
    public var cursor: Int64?
    /// The cursor stood there or further already.
    public var alreadyKnown = false
    public var refused: String?
}
