import Dispatch

/// Tells a capture that follows a source that the source may hold
/// something new, so that it reads at once rather than at its next poll.
/// A signal may say so without cause (the node's own clearing of notes, a
/// reconnect); it must not stay silent when there was a change it can see.
public protocol ChangeSignal: AnyObject, Sendable {
    /// Whether something may have changed since the last call (true on the first).
    func changed() -> Bool
    /// Whether it wakes the capture by itself when something changes (so
    /// that an idle capture need not look often).
    var wakes: Bool { get }
    /// Whether the change it last reported may not have been visible to a
    /// read yet, so that the capture should look again within milliseconds.
    var looksAgain: Bool { get }
}

extension ChangeSignal {
    public var wakes: Bool { false }
    public var looksAgain: Bool { false }
}
