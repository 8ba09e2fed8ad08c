import Normalise

/// A row's content as 64 bits (FNV-1a), the same in every process and on
/// every machine (Swift's `Hasher` is seeded anew each run). Seeded with the
/// mapping's text, so that a changed mapping makes every row "changed" once
/// and the records are made again under it. A collision would hide one
/// change until the row changes again: at 2⁻⁶⁴ a change, accepted.
struct RowHash {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    init(seed: [UInt8]) { add(seed) }

    private mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes {
            value ^= UInt64(b)
            value = value &* 0x0000_0100_0000_01b3
        }
    }

    private mutating func add(tag: UInt8, _ text: String) {
        add(CollectionOfOne(tag))
        add(text.utf8)
        // The length ends each value: ("ab", "c") and ("a", "bc") differ.
        withUnsafeBytes(of: UInt64(text.utf8.count).littleEndian) { add($0) }
    }

    /// The hash of `values` after this seed.
    func of(_ values: [RowValue]) -> Int64 {
        var h = self
        for v in values {
            switch v {
            case .null: h.add(CollectionOfOne(0))
            case .text(let s): h.add(tag: 1, s)
            case .integer(let n): h.add(tag: 2, String(n))
            case .decimal(let d): h.add(tag: 3, d)
            case .bool(let b): h.add(CollectionOfOne(b ? 4 : 5))
            }
        }
        return Int64(bitPattern: h.value)
    }
}
