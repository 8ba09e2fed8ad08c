/// What in-place applicators evaluated, for `unevaluatedProperties` and
/// `unevaluatedItems`. Annotations always concern one instance, so evaluated
/// members and items are kept as bits by position: no hashing of keys.
struct Annotations {
    /// Members of the object evaluated, by position.
    var properties = BitSet()
    var allProperties = false
    /// Items 0..<prefixItems were evaluated.
    var prefixItems = 0
    var allItems = false
    /// Items matched by `contains`, by position.
    var containsItems = BitSet()

    mutating func merge(_ other: Annotations) {
        if other.allProperties { allProperties = true } else { properties.formUnion(other.properties) }
        prefixItems = max(prefixItems, other.prefixItems)
        if other.allItems { allItems = true }
        containsItems.formUnion(other.containsItems)
    }
}

/// A set of small non-negative integers; the first 64 need no allocation.
struct BitSet {
    private var low: UInt64 = 0
    private var high: [UInt64] = []

    func contains(_ i: Int) -> Bool {
        if i < 64 { return low & (1 << UInt64(i)) != 0 }
        let w = i / 64 - 1
        return w < high.count && high[w] & (1 << UInt64(i % 64)) != 0
    }

    mutating func insert(_ i: Int) {
        if i < 64 { low |= 1 << UInt64(i); return }
        let w = i / 64 - 1
        if w >= high.count { high += [UInt64](repeating: 0, count: w - high.count + 1) }
        high[w] |= 1 << UInt64(i % 64)
    }

    mutating func formUnion(_ other: BitSet) {
        low |= other.low
        if other.high.isEmpty { return }
        if high.count < other.high.count { high += [UInt64](repeating: 0, count: other.high.count - high.count) }
        for (i, w) in other.high.enumerated() { high[i] |= w }
    }
}
