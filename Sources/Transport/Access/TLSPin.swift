import Crypto
import Foundation
import NIOSSL

/// Public-key pins in curl's form (`CURLOPT_PINNEDPUBLICKEY`).
public enum TLSPin {
    public static func of(spki: [UInt8]) -> String { "sha256//" + Data(SHA256.hash(data: spki)).base64EncodedString() }

    /// The pin of the certificate in a PEM file.
    public static func ofCertificate(file: String) throws -> String {
        guard let cert = try NIOSSLCertificate.fromPEMFile(file).first else {
            throw KeyError("\(file) holds no PEM certificate")
        }
        return of(spki: try cert.extractPublicKey().toSPKIBytes())
    }
}

/// When a certificate stops being valid: a node whose own certificate expired
/// is refused by every peer, which `hutong status --explain` says outright.
public enum TLSExpiry {
    public static func notAfter(certificateFile file: String) -> Date? {
        guard let cert = try? NIOSSLCertificate.fromPEMFile(file).first else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(cert.notValidAfter))
    }
}
