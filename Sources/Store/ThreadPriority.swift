import Foundation

/// Helper threads of a pull (checking lanes, the receiver, the log copier)
/// give way to the one thread that applies batches in order: that thread is
/// the one stage that cannot be spread over cores, and on a busy machine it
/// otherwise waited for a core a third of its time. Only lowering is possible
/// without privileges, so it is done on threads of our own, never on a shared
/// pool's.
public enum ThreadPriority {
    /// Lowers the calling thread's priority to `nice`: Linux keeps one per thread.
    public static func lower(to nice: Int32) {
        // Elsewhere (macOS) it would lower the whole process: left as it is.
        #if os(Linux)
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
        #endif
    }

    /// Checking lanes and the copying of the log: work that may lag behind.
    public static let helper: Int32 = 5
    /// The receiving thread, which must keep batches coming.
    public static let receiver: Int32 = 3
}
