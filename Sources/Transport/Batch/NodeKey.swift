import Crypto
import Foundation

/// A node's Ed25519 signing key. Batches are signed with it; peers hold the
/// public half in their configuration. The private key lives in a file of its
/// own, readable by the node's user only, and is never printed or logged.
public struct NodeKey: Sendable {
    /// Raw key bytes (the Crypto key type is not Sendable; it is rebuilt per use).
    private let raw: Data
    var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: raw) }

    init(key: Curve25519.Signing.PrivateKey) { raw = key.rawRepresentation }

    public static func generate() -> NodeKey { NodeKey(key: Curve25519.Signing.PrivateKey()) }

    /// The public key as peers configure it: base64 of the 32 raw bytes.
    public var publicKeyBase64: String { key.publicKey.rawRepresentation.base64EncodedString() }

    public func sign(_ message: [UInt8]) throws -> String {
        try key.signature(for: message).base64EncodedString()
    }

    /// Writes the key (base64 of the raw 32 bytes) with mode 0600; refuses to overwrite.
    public func write(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw KeyError("\(path) already holds a key; a node keeps its key (peers pin it). Remove the file first to replace it, then give peers the new public key")
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        guard FileManager.default.createFile(atPath: path, contents: Data((key.rawRepresentation.base64EncodedString() + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw KeyError("cannot write \(path)")
        }
    }

    public static func read(from path: String) throws -> NodeKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyError("cannot read the signing key \(path); run `hutong keys generate`")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw KeyError("\(path) does not hold an Ed25519 key written by `hutong keys generate`")
        }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw KeyError("\(path) can be read by other users (mode \(String(mode, radix: 8))); run `chmod 600 \(path)`")
        }
        return NodeKey(key: key)
    }
}

/// A peer's public signing key, from the configuration.
public struct PeerKey: Sendable {
    private let raw: Data
    var key: Curve25519.Signing.PublicKey { try! Curve25519.Signing.PublicKey(rawRepresentation: raw) }

    public init(base64: String) throws {
        guard let raw = Data(base64Encoded: base64), (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw KeyError("\"\(base64)\" is not an Ed25519 public key (base64 of 32 bytes, as `hutong keys show` prints it)")
        }
        self.raw = raw
    }

    public func verify(_ signature: String, over message: [UInt8]) -> Bool {
        guard let sig = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(sig, for: message)
    }
}

public struct KeyError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
