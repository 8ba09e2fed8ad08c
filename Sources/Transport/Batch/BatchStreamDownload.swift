/// A pull answer checked as it arrives: one or more batches back to back.
/// Each batch, once its end line arrived and its signature verified, goes to
/// `received` while the next one is still coming in.
final class BatchStreamDownload: DownloadSink {
    let makeDecoder: () -> BatchDecoder
    let received: (BatchDecoder.Received) throws -> Void
    private var current: BatchDecoder?
    /// Batches handed on so far.
    private(set) var batches = 0

    init(makeDecoder: @escaping () -> BatchDecoder, received: @escaping (BatchDecoder.Received) throws -> Void) {
        self.makeDecoder = makeDecoder; self.received = received
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let d = current ?? makeDecoder()
            current = d
            let used = try d.feed(rest)
            if d.hasEnded {
                current = nil
                batches += 1
                try received(try d.finishReading())
            }
            rest = UnsafeRawBufferPointer(rebasing: rest[used...])
        }
    }

    /// Once the answer is complete: refused if it stopped inside a batch, or held none.
    func finish() throws(BatchRefusal) {
        if let current { _ = try current.finishReading() }
        if batches == 0 { throw .malformed("the batch is empty") }
    }
}
