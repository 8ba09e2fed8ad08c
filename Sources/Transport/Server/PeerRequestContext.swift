import Foundation
import Hummingbird
import NIOCore
import NIOSSL

/// A request context that can say who is calling: the pin (`sha256//BASE64`)
/// of the caller's public key, which names a configured peer, or nil.
public protocol PeerCallerContext: RequestContext {
    func callerPin(_ request: Request) async -> String?
}

/// The request context of the peer API: keeps the connection's channel, from
/// whose TLS handler the client certificate's pin is read — which is how the
/// server knows which configured peer is calling.
public struct PeerRequestContext: PeerCallerContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// `sha256//BASE64` of the client certificate's public key; nil without TLS.
    /// Read on the channel's event loop, where the TLS handler lives.
    public func callerPin(_ request: Request) async -> String? {
        let channel = self.channel
        return try? await channel.eventLoop.submit { () -> String? in
            // Under HTTP/2 the request arrives on a stream channel; TLS is on its parent, the connection.
            let handler = try (try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self))
                ?? (channel.parent ?? channel).pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            return try handler.peerCertificate.map { TLSPin.of(spki: try $0.extractPublicKey().toSPKIBytes()) }
        }.get()
    }

    /// Batches are bounded by the server's own limit, checked when collecting.
    public var maxUploadSize: Int { Int.max }
}
