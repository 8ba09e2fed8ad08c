import CCurl
import Foundation

/// HTTPS to one peer over libcurl: one easy handle, so the connection (and its
/// TLS session) is reused across requests; client certificate, CA and pinned
/// public key; gzip; connect and total timeouts; retries with exponential
/// backoff and jitter for transient failures only. Not shared between threads.
public final class PeerClient: PeerConnection {
    public struct Options: Sendable, Equatable {
        public var baseURL: String
        public var certificate: String?
        public var key: String?
        public var ca: String?
        /// `sha256//BASE64` of the peer's TLS public key (SPKI).
        public var pin: String?
        public var connectTimeout: Int = 10
        public var totalTimeout: Int = 300
        /// A transfer slower than `stallBytesPerSecond` for this many seconds is
        /// abandoned (and tried again): a peer that trickles bytes cannot hold a sync for the whole timeout.
        public var stallSeconds: Int = 30
        public var stallBytesPerSecond: Int = 16
        public var attempts: Int = 4
        /// First backoff; doubles per attempt, with up to 50 % jitter.
        public var backoff: Double = 0.5

        public init(baseURL: String, certificate: String? = nil, key: String? = nil, ca: String? = nil, pin: String? = nil) {
            self.baseURL = baseURL; self.certificate = certificate; self.key = key; self.ca = ca; self.pin = pin
        }
    }

    public typealias Response = PeerResponse

    let options: Options
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// Bytes sent and received on the wire (compressed), for the summary.
    public private(set) var bytesSent = 0
    public private(set) var bytesReceived = 0
    /// Requests made, retries included, for the summary.
    public private(set) var requests = 0
    /// Requests made on the connection curl holds now. curl 7.x resets every
    /// HTTP/2 stream it is done with (RST_STREAM), and SwiftNIO servers (ours)
    /// end the connection (ENHANCE_YOUR_CALM) after 200 such resets, so a
    /// connection is retired well before: a long pull must not fail at batch 200.
    private var requestsOnConnection = 0
    public static let maxRequestsPerConnection = 100

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(_ options: Options) throws {
        _ = Self.globalInit
        guard let h = curl_easy_init() else { throw PeerError(peer: options.baseURL, message: "libcurl could not start", transient: false) }
        handle = h
        self.options = options
        guard options.baseURL.hasPrefix("https://") || Self.isLoopback(options.baseURL) else {
            throw PeerError(peer: options.baseURL, message: "plain HTTP is allowed only to a loopback address; use https://", transient: false)
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    static func isLoopback(_ url: String) -> Bool {
        ["http://127.", "http://localhost:", "http://localhost/", "http://[::1]"].contains { url.hasPrefix($0) }
    }

    /// A request with retries. 4xx answers and TLS failures are not retried:
    /// trying again cannot help. A streamed body (`upload`) or a streamed
    /// reading of a 2xx answer (`download`) is made afresh for each attempt;
    /// an error thrown by either ends the request and is not retried.
    /// `stop`, asked about once a second and whenever bytes move, ends the
    /// request at once when it says true (`PeerError.stopped`): a caller that
    /// gave up need not wait for a stalled peer's timeout.
    public func request(_ method: String, _ path: String, body: [UInt8]?, headers: [String],
                        upload: (() throws -> any UploadSource)?,
                        download: (() -> any DownloadSink)?,
                        stop: (() -> Bool)?) throws -> Response {
        var attempt = 0
        while true {
            attempt += 1
            if stop?() == true { throw PeerError.stopped(options.baseURL) }
            do {
                let r = try once(method, path, body: body, headers: headers, upload: try upload?(), download: download?(), stop: stop)
                if [429, 502, 503, 504].contains(r.status) && attempt < options.attempts {
                    pause(attempt, stop: stop)
                    continue
                }
                return r
            } catch let e as PeerError where e.transient && attempt < options.attempts {
                pause(attempt, stop: stop)
            }
        }
    }

    /// The wait before another attempt, cut short by `stop`.
    private func pause(_ attempt: Int, stop: (() -> Bool)?) {
        let base = options.backoff * pow(2, Double(attempt - 1))
        let end = Date().addingTimeInterval(base * (1 + Double.random(in: 0...0.5)))
        while Date() < end, stop?() != true { Thread.sleep(forTimeInterval: min(0.05, max(0, end.timeIntervalSinceNow))) }
    }

    private func once(_ method: String, _ path: String, body: [UInt8]?, headers: [String],
                      upload: (any UploadSource)?, download: (any DownloadSink)?, stop: (() -> Bool)?) throws -> Response {
        curl_easy_reset(handle)  // keeps the connection and session caches
        requests += 1
        let transfer = Transfer(handle: handle, upload: upload, download: download, stop: stop, peer: options.baseURL)
        let transferPointer = Unmanaged.passRetained(transfer)
        defer { transferPointer.release() }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        // gzip answers are asked for here and read by `Inflater` (igzip), not by
        // curl's zlib, which is several times slower at it.
        for h in headers + ["Expect:", "Accept-Encoding: gzip"] { list = curl_slist_append(list, h) }
        defer { curl_slist_free_all(list) }
        errorBuffer[0] = 0

        set(CURLOPT_URL, options.baseURL + path)
        set(CURLOPT_CUSTOMREQUEST, method)
        setLong(CURLOPT_NOSIGNAL, 1)
        setLong(CURLOPT_CONNECTTIMEOUT, options.connectTimeout)
        setLong(CURLOPT_TIMEOUT, options.totalTimeout)
        setLong(CURLOPT_LOW_SPEED_LIMIT, options.stallBytesPerSecond)
        setLong(CURLOPT_LOW_SPEED_TIME, options.stallSeconds)
        setLong(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        let lastOnConnection = requestsOnConnection + 1 >= Self.maxRequestsPerConnection
        if lastOnConnection { setLong(CURLOPT_FORBID_REUSE, 1) }  // closed after this request; the next opens a new one
        hutong_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        hutong_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        if let c = options.certificate { set(CURLOPT_SSLCERT, c) }
        if let k = options.key { set(CURLOPT_SSLKEY, k) }
        if let ca = options.ca { set(CURLOPT_CAINFO, ca) }
        if let pin = options.pin { set(CURLOPT_PINNEDPUBLICKEY, pin) }
        hutong_curl_setopt_write(handle) { data, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            return t.received(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        hutong_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, transferPointer.toOpaque())
        if stop != nil {
            setLong(CURLOPT_NOPROGRESS, 0)
            hutong_curl_setopt_xferinfo(handle) { user, _, _, _, _ in
                Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue().shouldStop() ? 1 : 0
            }
            hutong_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, transferPointer.toOpaque())
        }
        if upload != nil {
            // Length unknown until the end: chunked under HTTP/1.1, DATA frames under HTTP/2.
            setLong(CURLOPT_POST, 1)
            hutong_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, -1)
            hutong_curl_setopt_read(handle) { data, size, count, user in
                let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
                return t.send(UnsafeMutableRawBufferPointer(start: data, count: size * count))
            }
            hutong_curl_setopt_pointer(handle, CURLOPT_READDATA, transferPointer.toOpaque())
        }

        let code: CURLcode = (body ?? []).withUnsafeBufferPointer { b in
            if body != nil {
                hutong_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(b.count))
                hutong_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: b.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            return curl_easy_perform(handle)
        }
        var uploaded: curl_off_t = 0, downloaded: curl_off_t = 0
        hutong_curl_getinfo_offset(handle, CURLINFO_SIZE_UPLOAD_T, &uploaded)
        hutong_curl_getinfo_offset(handle, CURLINFO_SIZE_DOWNLOAD_T, &downloaded)
        bytesSent += Int(uploaded)
        bytesReceived += Int(downloaded)
        var connects = 0
        hutong_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        requestsOnConnection = lastOnConnection ? 0 : connects > 0 ? 1 : requestsOnConnection + 1
        // What our own upload or download side threw (a refused batch, a store error) comes first.
        if let e = transfer.error { throw e }
        if code == CURLE_OK, let e = transfer.finishDecoding() { throw e }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw PeerError(peer: options.baseURL, message: "\(text) (curl error \(code.rawValue))", transient: Self.transient(code), curlCode: Int(code.rawValue))
        }
        var status = 0, version = 0
        hutong_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        hutong_curl_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        return Response(status: status, body: transfer.bytes, httpVersion: version == Int(CURL_HTTP_VERSION_2_0) ? "HTTP/2" : "HTTP/1.1")
    }

    private func set(_ o: CURLoption, _ v: String) { hutong_curl_setopt_string(handle, o, v) }
    private func setLong(_ o: CURLoption, _ v: Int) { hutong_curl_setopt_long(handle, o, v) }

    /// Failures worth another try: the network, not the peer's answer or TLS.
    /// An HTTP/2 connection the server ended (GOAWAY) is one: the next
    /// attempt opens a new connection.
    static func transient(_ c: CURLcode) -> Bool {
        [CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
         CURLE_COULDNT_RESOLVE_HOST, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM].contains(c)
    }
}

/// One attempt's state, reached from curl's callbacks through their user pointer.
private final class Transfer {
    let handle: UnsafeMutableRawPointer
    let upload: (any UploadSource)?
    let download: (any DownloadSink)?
    /// The answer when it is not streamed to `download` (errors, small answers).
    var bytes: [UInt8] = []
    var status: Int?
    var error: (any Error)?
    let stop: (() -> Bool)?
    let peer: String

    init(handle: UnsafeMutableRawPointer, upload: (any UploadSource)?, download: (any DownloadSink)?, stop: (() -> Bool)?, peer: String) {
        self.handle = handle; self.upload = upload; self.download = download; self.stop = stop; self.peer = peer
    }

    /// True ends the transfer; the error says it was stopped, not failed.
    func shouldStop() -> Bool {
        guard stop?() == true else { return false }
        if error == nil { error = PeerError.stopped(peer) }
        return true
    }

    /// 0 (fewer bytes than given) tells curl to stop.
    func received(_ data: UnsafeRawBufferPointer) -> Int {
        if status == nil {
            var s = 0
            hutong_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &s)
            status = s
            if Self.isGzip(handle) {
                // A streamed answer is checked as it arrives, so it may be of any
                // size; one held whole (an error, a push's answer) may not.
                inflater = Inflater(limit: streaming ? Int.max : Self.heldLimit)
            }
        }
        do {
            if let inflater {
                try inflater.feed(data) { try deliver(UnsafeRawBufferPointer($0)) }
            } else {
                try deliver(data)
            }
        } catch let e as GzipError {
            self.error = decodingError(e)
            return 0
        } catch {
            self.error = error
            return 0
        }
        return data.count
    }

    /// Whether the answer is a 2xx read by `download` rather than held in `bytes`.
    private var streaming: Bool { download != nil && (200..<300).contains(status ?? 0) }

    /// Decompressed, an answer held whole may be at most this large.
    static let heldLimit = 64 << 20

    private var inflater: Inflater?

    private func deliver(_ data: UnsafeRawBufferPointer) throws {
        if streaming {
            try download!.write(data)
        } else {
            bytes.append(contentsOf: data.bindMemory(to: UInt8.self))
        }
    }

    /// After the transfer: the error when a gzip answer stopped before its end.
    func finishDecoding() -> PeerError? {
        guard let inflater else { return nil }
        do { try inflater.finish() } catch { return decodingError(error) }
        return nil
    }

    private func decodingError(_ e: GzipError) -> PeerError {
        PeerError(peer: peer, message: "the answer could not be read: \(e)", transient: false)
    }

    /// The answer's last Content-Encoding header says gzip.
    private static func isGzip(_ handle: UnsafeMutableRawPointer) -> Bool {
        var header: UnsafeMutablePointer<curl_header>?
        guard curl_easy_header(handle, "Content-Encoding", 0, UInt32(CURLH_HEADER), -1, &header) == CURLHE_OK,
              let value = header?.pointee.value else { return false }
        return String(cString: value).trimmingCharacters(in: .whitespaces).lowercased() == "gzip"
    }

    func send(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        do { return try upload!.read(into: buffer) } catch {
            self.error = error
            return Int(CURL_READFUNC_ABORT)
        }
    }
}

/// A failure talking to a peer, with curl's own words.
public struct PeerError: Error, CustomStringConvertible, Sendable {
    public let peer: String
    public let message: String
    public let transient: Bool
    public var curlCode: Int? = nil

    public var description: String { "\(peer): \(message)" }

    /// The caller stopped the request (its `stop` said true); not retried.
    public var isStopped = false

    static func stopped(_ peer: String) -> PeerError {
        PeerError(peer: peer, message: "the request was stopped before it finished", transient: false, isStopped: true)
    }
}
