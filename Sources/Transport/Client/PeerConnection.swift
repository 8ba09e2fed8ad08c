/// What a sync needs from the way to a peer: one request at a time, with a
/// body sent whole or streamed, and a 2xx answer streamed (decompressed) into
/// a sink. `PeerClient` is the HTTPS one; tests run a sync against the peer
/// API in process through another.
public protocol PeerConnection: AnyObject {
    /// See `PeerClient.request`: retried where that can help; `stop` ends it early.
    func request(_ method: String, _ path: String, body: [UInt8]?, headers: [String],
                 upload: (() throws -> any UploadSource)?, download: (() -> any DownloadSink)?,
                 stop: (() -> Bool)?) throws -> PeerResponse
}

extension PeerConnection {
    public func request(_ method: String, _ path: String, body: [UInt8]? = nil, headers: [String] = [],
                        upload: (() throws -> any UploadSource)? = nil, download: (() -> any DownloadSink)? = nil) throws -> PeerResponse {
        try request(method, path, body: body, headers: headers, upload: upload, download: download, stop: nil)
    }

    public func request(_ method: String, _ path: String, download: (() -> any DownloadSink)?, stop: (() -> Bool)?) throws -> PeerResponse {
        try request(method, path, body: nil, headers: [], upload: nil, download: download, stop: stop)
    }
}

/// A peer's answer: its status, the body when it was not streamed to a
/// sink (decompressed), and the HTTP version spoken.
public struct PeerResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
    public let httpVersion: String

    public init(status: Int, body: [UInt8], httpVersion: String) {
        self.status = status
        self.body = body
        self.httpVersion = httpVersion
    }
}

/// A request body produced while it is sent (a batch read from the store as it goes out).
public protocol UploadSource: AnyObject {
    /// Fills the start of `buffer`; returns how many bytes, 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Where the bytes of a 2xx answer go as they arrive (a batch checked line by line).
public protocol DownloadSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}
