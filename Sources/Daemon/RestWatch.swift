import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// When a node has come to rest: its change log has not moved for a while
/// after it last did. Then the store's caches and the heap's free pages are
/// given back once, so that a node at rest is small again after a busy hour.
struct RestWatch {
    private var last: Int64?
    private var since = Date()
    private var released = false
    /// How long the log must stay still.
    static let quiet: TimeInterval = 30

    /// True once per rest: the first time the log has been still for `quiet`.
    mutating func settled(_ sequence: Int64?, now: Date = Date()) -> Bool {
        if sequence != last {
            last = sequence
            since = now
            released = false
            return false
        }
        guard !released, now.timeIntervalSince(since) >= Self.quiet else { return false }
        released = true
        return true
    }

    /// Returns the heap's free pages to the system (glibc keeps them otherwise).
    static func trimHeap() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }

    /// Lets the kernel take back the pages of the program's own code that
    /// are resident (`madvise(MADV_PAGEOUT)` on its file-backed, read-only
    /// mappings). Most were touched once at start (compiling the standard's
    /// schemas, reading the configuration) and are not needed at rest; the
    /// few the idle loops run are read back at once. Clean pages of a file
    /// cost nothing to drop, which the kernel does anyway under memory
    /// pressure: this only does it before there is any.
    static func releaseCode() {
        #if os(Linux)
        guard let program = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        for line in maps.split(separator: "\n") {
            // "start-end perms offset dev inode path"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5] == program, !fields[1].contains("w"),
                  let dash = fields[0].firstIndex(of: "-"),
                  let start = UInt(fields[0][..<dash], radix: 16), let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                  start % UInt(page) == 0, end > start,
                  let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            // Refused (a kernel before 5.4): the pages stay, nothing else changes.
            _ = madvise(address, Int(end - start), Self.pageOut)
        }
        #endif
    }

    /// `MADV_PAGEOUT` (Linux 5.4), which the Glibc module does not name.
    static let pageOut: Int32 = 21
}

#if os(Linux)
/// glibc's `malloc_trim` (malloc.h, which the Glibc module leaves out).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
