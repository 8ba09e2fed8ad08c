import Foundation

/// A tape's entries and bytes as plain pointers, for as long as
/// `JSONTape.withView` runs: reading through it costs no reference counting.
/// Entry indexes name values.
public struct JSONTapeView {
    @usableFromInline let entries: UnsafeBufferPointer<JSONTape.Entry>
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    /// Whether containers know their text (tapes built from a `JSONValue` have none).
    public let hasText: Bool

    @usableFromInline init(entries: UnsafeBufferPointer<JSONTape.Entry>, bytes: UnsafeBufferPointer<UInt8>, hasText: Bool) {
        self.entries = entries
        self.bytes = bytes
        self.hasText = hasText
    }

    @inlinable public func kind(_ i: Int) -> JSONTape.Kind { entries[i].kind }

    /// Members of an object, items of an array.
    @inlinable public func count(_ i: Int) -> Int { Int(entries[i].count) }

    /// The entry after value `i` and everything in it.
    @inlinable public func next(_ i: Int) -> Int {
        let e = entries[i]
        return e.kind == .object || e.kind == .array ? Int(e.end) : i + 1
    }

    /// A string's content (escapes undone), valid UTF-8.
    @inlinable public func string(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let e = entries[i]
        return UnsafeBufferPointer(rebasing: bytes[Int(e.offset)..<Int(e.offset + e.length)])
    }

    @inlinable public func hash(_ i: Int) -> UInt32 { entries[i].hash }

    public func makeString(_ i: Int) -> String { String(decoding: string(i), as: UTF8.self) }

    /// Unicode scalars in a string: bytes that do not continue a sequence.
    @inlinable public func scalarCount(_ i: Int) -> Int {
        let s = string(i)
        if entries[i].ascii { return s.count }
        var n = 0
        for b in s where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// The number at `i` as a value (no allocation), or nil for any other kind.
    @inlinable public func number(_ i: Int) -> JSONValue? {
        let e = entries[i]
        switch e.kind {
        case .int: return .int(Int64(bitPattern: e.payload))
        case .double: return .double(Double(bitPattern: e.payload))
        default: return nil
        }
    }

    @inlinable public func doubleValue(_ i: Int) -> Double? {
        let e = entries[i]
        switch e.kind {
        case .int: return Double(Int64(bitPattern: e.payload))
        case .double: return Double(bitPattern: e.payload)
        default: return nil
        }
    }

    @inlinable public func bool(_ i: Int) -> Bool { entries[i].payload != 0 }

    /// The position and value entry of the object member named `name` (the
    /// last one, as `JSONObject` does for duplicate names).
    @inlinable public func member(_ object: Int, named name: UnsafeBufferPointer<UInt8>, hash: UInt32) -> (position: Int, value: Int)? {
        var found: (Int, Int)?
        var k = object + 1
        for p in 0..<count(object) {
            if entries[k].hash == hash && Self.same(string(k), name) { found = (p, k + 1) }
            k = next(k + 1)
        }
        return found
    }

    /// The value entry of the top-level member `name`, when the document is an object.
    public func member(_ object: Int, named name: StaticString) -> Int? {
        guard !entries.isEmpty, kind(object) == .object else { return nil }
        let n = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        return member(object, named: n, hash: KeyHash.of(n))?.value
    }

    @inlinable public static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// The value at `i` as a tree, but the value at entry `skipping` as null
    /// (not built: the caller drops it) and containers `depth` levels down empty.
    public func value(_ i: Int, skipping: Int = -1, depth: Int = .max) -> JSONValue {
        if i == skipping { return .null }
        if depth == 0 && kind(i) == .object { return .object(JSONObject()) }
        if depth == 0 && kind(i) == .array { return .array([]) }
        let e = entries[i]
        switch e.kind {
        case .null: return .null
        case .bool: return .bool(e.payload != 0)
        case .int, .double: return number(i)!
        case .string: return .string(makeString(i))
        case .array:
            var items: [JSONValue] = []
            items.reserveCapacity(Int(e.count))
            var k = i + 1
            for _ in 0..<e.count {
                items.append(value(k, skipping: skipping, depth: depth - 1))
                k = next(k)
            }
            return .array(items)
        case .object:
            var keys: [String] = [], values: [JSONValue] = [], hashes: [UInt32] = []
            keys.reserveCapacity(Int(e.count)); values.reserveCapacity(Int(e.count)); hashes.reserveCapacity(Int(e.count))
            var k = i + 1
            for _ in 0..<e.count {
                keys.append(makeString(k))
                hashes.append(entries[k].hash)
                values.append(value(k + 1, skipping: skipping, depth: depth - 1))
                k = next(k + 1)
            }
            return .object(JSONObject(keys: keys, values: values, hashes: hashes))
        }
    }

    /// JSON Schema equality with a tree (as `JSONValue ==`: numbers by value,
    /// strings by code points, objects whatever their member order).
    public func equals(_ i: Int, _ v: JSONValue) -> Bool {
        switch (kind(i), v) {
        case (.null, .null): return true
        case (.bool, .bool(let b)): return bool(i) == b
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double): return number(i)! == v
        case (.string, .string(let s)):
            var s = s
            return s.withUTF8 { Self.same(string(i), $0) }
        case (.array, .array(let items)):
            guard count(i) == items.count else { return false }
            var k = i + 1
            for item in items {
                if !equals(k, item) { return false }
                k = next(k)
            }
            return true
        case (.object, .object(let o)):
            guard count(i) == o.count else { return false }
            var k = i + 1
            for _ in 0..<count(i) {
                guard let w = o.value(makeString(k), hash: entries[k].hash), equals(k + 1, w) else { return false }
                k = next(k + 1)
            }
            return true
        default: return false
        }
    }

    /// JSON Schema equality of two values of this tape.
    public func equals(_ i: Int, _ j: Int) -> Bool {
        switch (kind(i), kind(j)) {
        case (.null, .null): return true
        case (.bool, .bool): return bool(i) == bool(j)
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double): return number(i)! == number(j)!
        case (.string, .string): return Self.same(string(i), string(j))
        case (.array, .array):
            guard count(i) == count(j) else { return false }
            var a = i + 1, b = j + 1
            for _ in 0..<count(i) {
                if !equals(a, b) { return false }
                a = next(a); b = next(b)
            }
            return true
        case (.object, .object):
            guard count(i) == count(j) else { return false }
            var k = i + 1
            for _ in 0..<count(i) {
                guard let w = member(j, named: string(k), hash: entries[k].hash), equals(k + 1, w.value) else { return false }
                k = next(k + 1)
            }
            return true
        default: return false
        }
    }

    /// As `JSONValue.typeName`.
    public func typeName(_ i: Int) -> String {
        switch kind(i) {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: JSONValue.double(Double(bitPattern: entries[i].payload)).typeName
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
