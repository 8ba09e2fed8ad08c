import Foundation
import Transport

/// What applying one bundle file did.
public struct BundleApplied: Sendable {
    public let file: String
    /// Set once the header was read and verified.
    public var header: BundleHeader?
    public var batches = 0
    public var records = 0
    /// New versions stored (applied or merged), conflicts, quarantined (invalid or not granted), already here.
    public var stored = 0
    public var conflicts = 0
    public var quarantined = 0
    public var alreadyHad = 0
    /// Batches applied before (a bundle given twice, or one resumed after a stop).
    public var repeatedBatches = 0
    /// How far this node now holds the sender's log without a gap (epoch, sequence), once known.
    public var holds: (epoch: String, sequence: Int64)?
    /// Why the file was refused; what was applied before stays.
    public var refused: String?
    /// Abandoned between two batches because the node is stopping; applying the file again completes it.
    public var stopped = false
    /// The acknowledgement file written for the sender.
    public var acknowledgement: String?

    /// Every batch had been applied before: the file changed nothing.
    public var wasAppliedBefore: Bool { refused == nil && batches > 0 && repeatedBatches == batches }
}
