import Foundation

/// Timestamps as the store writes them: UTC, milliseconds.
enum StoreClock {
    static func wallMillis() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    /// A value-type format style: making an ISO8601DateFormatter per call cost
    /// half a millisecond each, several times per applied batch.
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func timestamp() -> String { style.format(Date()) }
}
