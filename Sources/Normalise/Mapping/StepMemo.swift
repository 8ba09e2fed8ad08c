import Foundation
import JSON

/// What a field's steps made of a value met before. Agency columns repeat: a
/// code list's few values, a handful of amounts, the dates shared by a day's
/// decisions; running codes, split, date or money steps again for every row
/// costs more than finding the result (Benchmarks/README.md,
/// "Normalisation"). Only chains with such a step are kept (text clean-ups
/// cost less than the lookup), only short values, and only results: a value
/// whose steps fail is worked out again each time, so its problem reads as
/// ever. A table that fills up is started over, so memory stays bounded, or
/// given up when it found less than it kept.
///
/// Each core maps with a mapping of its own (`Mapping.copies`), so the lock
/// is never contended; it keeps a mapping used from two threads correct.
final class StepMemo: @unchecked Sendable {
    /// Longer values (facts, names) are rarely repeated.
    static let longest = 64
    /// Values a table holds before it starts over (its slots are twice as many).
    static let capacity = 4_096
    private let lock = NSLock()
    private let tables: [Table]

    init(slots: Int) { tables = (0..<slots).map { _ in Table() } }

    func result(_ slot: Int, _ text: String) -> MappedValue? {
        TextTransforms.withBytes(text) { bytes in
            lock.lock()
            defer { lock.unlock() }
            return tables[slot].find(bytes)
        }
    }

    func keep(_ slot: Int, _ text: String, _ result: MappedValue) {
        lock.lock()
        defer { lock.unlock() }
        tables[slot].insert(text, result)
    }

    /// Open addressing over a fixed buffer, hashed by `KeyHash` (the key
    /// hash of the JSON module, a few instructions for a short value): a
    /// Swift dictionary hashed each value with SipHash and retained its
    /// storage at every lookup, which cost more than the steps saved.
    private final class Table {
        struct Entry {
            /// 0: empty.
            var hash: UInt32 = 0
            var key = ""
            var value = MappedValue.empty
        }
        /// Made at the first value kept, let go when given up: a daemon's
        /// mappings cost no memory for fields that never see a value.
        private var entries: UnsafeMutableBufferPointer<Entry>?
        private var count = 0
        /// Values found since the table last started over. A table that
        /// fills up having found fewer than it took in (a column of mostly
        /// different values: times, amounts with fractions) is given up.
        private var hits = 0
        private var givenUp = false

        deinit { release() }

        private func release() {
            entries?.deinitialize()
            entries?.deallocate()
            entries = nil
        }

        private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 { KeyHash.of(bytes) | 1 }

        func find(_ bytes: UnsafeBufferPointer<UInt8>) -> MappedValue? {
            guard let entries else { return nil }
            let h = Self.hash(bytes), mask = entries.count - 1
            var i = Int(h) & mask
            while entries[i].hash != 0 {
                if entries[i].hash == h, TextTransforms.withBytes(entries[i].key, { TextTransforms.sameBytes($0, bytes) }) {
                    hits += 1
                    return entries[i].value
                }
                i = (i + 1) & mask
            }
            return nil
        }

        func insert(_ key: String, _ value: MappedValue) {
            if givenUp { return }
            if count >= StepMemo.capacity {
                givenUp = hits < count
                count = 0
                hits = 0
                release()
                if givenUp { return }
            }
            // Small at first, doubled while half full: a code list of a few
            // values keeps a few hundred slots, not thousands.
            if entries == nil || count * 2 >= entries!.count && entries!.count < 2 * StepMemo.capacity {
                grow()
            }
            guard let entries else { return }
            let h = TextTransforms.withBytes(key, Self.hash), mask = entries.count - 1
            var i = Int(h) & mask
            while entries[i].hash != 0 {
                if entries[i].hash == h, TextTransforms.withBytes(key, { k in TextTransforms.withBytes(entries[i].key) { TextTransforms.sameBytes($0, k) } }) { return }
                i = (i + 1) & mask
            }
            entries[i] = Entry(hash: h, key: key, value: value)
            count += 1
        }

        private func grow() {
            let old = entries
            let made = UnsafeMutableBufferPointer<Entry>.allocate(capacity: old.map { $0.count * 2 } ?? 256)
            made.initialize(repeating: Entry())
            entries = made
            guard let old else { return }
            let mask = made.count - 1
            for e in old where e.hash != 0 {
                var i = Int(e.hash) & mask
                while made[i].hash != 0 { i = (i + 1) & mask }
                made[i] = e
            }
            old.deinitialize()
            old.deallocate()
        }

    }

    /// Whether a case's results are worth keeping: it reads columns, and one of its steps costs more than a lookup.
    static func isWorthKeeping(_ c: FieldCase) -> Bool {
        guard case .columns = c.source else { return false }
        return c.steps.contains(where: \.isWorthKeeping)
    }
}

extension Step {
    /// Whether the step costs more than looking its result up.
    var isWorthKeeping: Bool {
        switch self {
        case .date, .datetime, .money, .integer, .split, .codes, .nfkc: true
        case .trim, .collapse, .halfwidth, .upper, .lower, .emptyIf, .replace: false
        }
    }
}
