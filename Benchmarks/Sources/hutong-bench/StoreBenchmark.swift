import Foundation
import GRDB
import Replication
import Standard
import Store
import JSON

/// Node-store figures on real SQLite files: local writes, reading the change
/// log, and applying those changes at a second node, in batches of 1,000;
/// then the anchor: the same records inserted into a bare SQLite table with
/// the store's settings, the floor under what an apply costs.
struct StoreBenchmark {
    let catalog: StandardCatalog
    let count: Int

    func run() throws {
        let dir = NSTemporaryDirectory() + "hutong-store-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try SQLiteNodeStore.create(path: dir + "/a.sqlite", nodeID: "bench-a", catalog: catalog)
        let b = try SQLiteNodeStore.create(path: dir + "/b.sqlite", nodeID: "bench-b", catalog: catalog)
        say("hutong-bench store: \(count) penalty records, batches of 1,000, \(dir)")

        // A local write in its two parts: making the record ready (id, canonical
        // text, hash: on any core, before the transaction) and the transaction.
        var g = try SampleGenerator(type: "penalty", seed: 1)
        let penalty = catalog.recordTypes["penalty"]!
        var written = 0
        var prepareTime = Phase(), writeTime = Phase()
        var left = count
        while left > 0 {
            let bodies = (0..<min(1_000, left)).map { _ in g.next().record }
            left -= bodies.count
            var batch: [LocalRecord] = []
            prepareTime += try seconds { batch = try bodies.map { try LocalRecord(type: penalty, body: $0) } }
            writeTime += try seconds { written += try a.write(batch).compactMap { $0 }.count }
        }
        report("local writes: made ready (id, canonical text, hash)", written, prepareTime)
        report("local writes: stored", written, writeTime)

        // Batch by batch, as a pull would: read a batch of changes at A, apply it at B.
        var cursor: Int64 = 0, batch = 0, changes = 0, applied = 0
        var readTime = Phase(), applyTime = Phase()
        var bare = try BareTable(path: dir + "/bare.sqlite")
        var bareTime = Phase()
        while true {
            var versions: [Envelope] = []
            var last: Int64 = 0
            readTime += try seconds {
                let c = try a.changes(since: cursor, excludingPeer: "bench-b", limit: 1_000)
                versions = c.versions
                last = c.lastSequence
            }
            if versions.isEmpty { break }
            changes += versions.count
            applyTime += try seconds {
                let r = try b.apply(IncomingBatch(peer: "bench-a", batchID: "bench-\(batch)", versions: versions,
                                                  cursor: PeerCursor(peer: "bench-a", direction: .pull, epoch: a.epoch, sequence: last)))
                applied += r.count(.applied)
            }
            cursor = last
            batch += 1
            let rows = versions.map { ($0.id, $0.bodyText ?? JSONWriter.string($0.body)) }
            bareTime += try seconds { try bare.insert(rows) }
        }
        report("changes read", changes, readTime)
        report("remote applies", applied, applyTime)
        report("anchor: bare SQLite inserts (id, body)", changes, bareTime)

        let size = try ["a.sqlite", "a.sqlite-wal"].reduce(0) { total, f in
            total + ((try? FileManager.default.attributesOfItem(atPath: dir + "/" + f)[.size] as? Int) ?? 0)
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        say(String(format: "store size on disk: %.1f MB (%.0f bytes per record); peak memory: %.0f MB",
                     Double(size) / 1e6, Double(size) / Double(max(1, written)), Double(usage.ru_maxrss) / 1024))
    }

    /// Wall and CPU seconds of `body`.
    func seconds(_ body: () throws -> Void) rethrows -> Phase {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpu0 = cpuSeconds()
        try body()
        return Phase(wall: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu: cpuSeconds() - cpu0)
    }

    struct Phase {
        var wall = 0.0, cpu = 0.0
        static func += (a: inout Phase, b: Phase) { a.wall += b.wall; a.cpu += b.cpu }
    }

    func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    func report(_ label: String, _ n: Int, _ p: Phase) {
        say(label.padding(toLength: 52, withPad: " ", startingAt: 0) + String(format: "%9.0f records/s  (%d records, %.1f s wall, %.1f s CPU)", Double(n) / p.wall, n, p.wall, p.cpu))
    }
}

/// The anchor: one table (a UUID text key and the body), the store's page
/// size, cache and journal mode, one transaction per page of 1,000. No
/// change log, version vector, merge, hash or audit: SQLite alone.
struct BareTable {
    let db: DatabaseQueue

    init(path: String) throws {
        var c = Configuration()
        c.prepareDatabase { db in
            try db.execute(sql: "PRAGMA page_size = 16384")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        db = try DatabaseQueue(path: path, configuration: c)
        _ = try db.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode = WAL") }
        try db.write { try $0.execute(sql: "CREATE TABLE records (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)") }
    }

    mutating func insert(_ rows: [(String, String)]) throws {
        try db.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO records (id, body) VALUES (?, ?)")
            for (id, body) in rows { try statement.execute(arguments: [id, body]) }
        }
    }
}

/// Prints at once (unbuffered), so figures of a long run show as they are measured.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
