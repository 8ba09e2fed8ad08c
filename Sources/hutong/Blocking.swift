import Dispatch

/// Runs async work from a synchronous command and waits for it.
enum Blocking {
    static func run(_ body: @escaping @Sendable () async throws -> Void) -> (any Error)? {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: (any Error)?
        Task {
            do { try await body() } catch { failure = error }
            done.signal()
        }
        done.wait()
        return failure
    }
}
