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
