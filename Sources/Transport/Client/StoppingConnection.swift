/// A connection whose every request also ends when `stop` says so: how a
/// daemon told to stop abandons a sync whose peer stalls, instead of waiting
/// out the request's timeout (what was applied stays applied; cursors move
/// only after a batch succeeded).
public final class StoppingConnection: PeerConnection {
    let inner: any PeerConnection
    let stop: @Sendable () -> Bool

    public init(_ inner: any PeerConnection, stop: @escaping @Sendable () -> Bool) {
        self.inner = inner
        self.stop = stop
    }

    public func request(_ method: String, _ path: String, body: [UInt8]?, headers: [String],
                        upload: (() throws -> any UploadSource)?, download: (() -> any DownloadSink)?,
                        stop own: (() -> Bool)?) throws -> PeerResponse {
        let stop = self.stop
        return try inner.request(method, path, body: body, headers: headers, upload: upload, download: download,
                                 stop: { stop() || own?() == true })
    }
}
