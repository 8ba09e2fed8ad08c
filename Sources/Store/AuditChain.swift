import Crypto
import Foundation

/// The audit log's hash chain: each entry's hash covers its predecessor's hash
/// and its own content, so any edit or removal breaks the chain from there on.
enum AuditChain {
    static let genesis = String(repeating: "0", count: 64)

    static func hash(previous: String, sequence: Int64, at: String, kind: String, detail: String) -> String {
        let text = "\(previous)\n\(sequence)\n\(at)\n\(kind)\n\(detail)"
        return SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Timestamps as the store writes them: UTC, milliseconds.
enum StoreClock {
    static func wallMillis() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    /// A value-type format style: making an ISO8601DateFormatter per call cost
    /// half a millisecond each, several times per applied batch.
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func timestamp() -> String { style.format(Date()) }
}
