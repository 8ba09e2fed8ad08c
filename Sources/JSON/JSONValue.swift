import Foundation

/// A parsed JSON document. Numbers keep integers exact (`int`) so that money in
/// 分 and counters never pass through binary floating point.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// Object members in document order. Records have a few dozen members, so a
/// scan beats a hash table; each key's FNV-1a hash is kept beside it, so a scan
/// compares integers and only compares text on a hash match.
public struct JSONObject: Sendable {
    public private(set) var keys: [String]
    public private(set) var values: [JSONValue]
    @usableFromInline private(set) var hashes: [UInt32]
    /// Set by a builder whose keys are in RFC 8785 order already (a mapping's
    /// layout), so that writing canonical JSON neither checks nor sorts them.
    public private(set) var inCanonicalOrder = false

    public init() { keys = []; values = []; hashes = [] }
    public init(keys: [String], values: [JSONValue]) {
        self.keys = keys
        self.values = values
        hashes = keys.map(KeyHash.of)
    }
    /// `hashes`: each key's `KeyHash.of`, worked out beforehand by a caller that builds many objects of the same keys.
    /// `inCanonicalOrder`: the caller knows the keys to be in RFC 8785 order.
    public init(keys: [String], values: [JSONValue], hashes: [UInt32], inCanonicalOrder: Bool = false) {
        self.keys = keys; self.values = values; self.hashes = hashes
        self.inCanonicalOrder = inCanonicalOrder
    }
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.init(keys: pairs.map(\.key), values: pairs.map(\.value))
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Position of the member named `key` whose hash is `hash` (last one wins, as
    /// most parsers do for duplicate keys).
    @inlinable public func index(of key: String, hash: UInt32) -> Int? {
        var i = hashes.count - 1
        while i >= 0 {
            if hashes[i] == hash && keys[i] == key { return i }
            i -= 1
        }
        return nil
    }

    public func index(of key: String) -> Int? { index(of: key, hash: KeyHash.of(key)) }

    public func value(_ key: String, hash: UInt32) -> JSONValue? {
        index(of: key, hash: hash).map { values[$0] }
    }

    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { values[$0] } }
        set {
            if let i = index(of: key) {
                if let newValue { values[i] = newValue } else { keys.remove(at: i); values.remove(at: i); hashes.remove(at: i) }
            } else if let newValue {
                keys.append(key); values.append(newValue); hashes.append(KeyHash.of(key))
                inCanonicalOrder = false
            }
        }
    }

    public var members: Zip2Sequence<[String], [JSONValue]> { zip(keys, values) }

}

/// A cheap hash of a key's UTF-8 bytes, computed once per key by the parser and
/// once per name by the schema compiler: length and the first and last eight
/// bytes, mixed. Equal hashes are confirmed by comparing the text.
public enum KeyHash {
    public static func of(_ s: String) -> UInt32 {
        var s = s
        return s.withUTF8 { of($0) }
    }

    @inlinable public static func of(_ b: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let n = b.count
        guard let p = b.baseAddress, n > 0 else { return 0 }
        var head: UInt64 = 0, tail: UInt64 = 0
        if n >= 8 {
            head = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
            tail = UnsafeRawPointer(p + (n - 8)).loadUnaligned(as: UInt64.self)
        } else {
            for i in 0..<n { head = head << 8 | UInt64(p[i]) }
        }
        var h = head &* 0x9E37_79B9_7F4A_7C15 ^ (tail &+ UInt64(n)) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }
}

extension JSONValue {
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double(let d): d.rounded() == d && d.isFinite ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// The number as a Double, for either numeric case.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// The number as an exact integer when it has no fractional part.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.isFinite, d.rounded() == d, abs(d) < 9.2e18 else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { o[key] } else { nil }
    }
}

extension JSONValue: Equatable {
    /// JSON Schema equality: numbers compare by value (1 == 1.0), objects ignore member order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return b.rounded() == b && abs(b) < 9.3e18 && Double(a) == b && Int64(exactly: b) == a
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return JSONValue.sameCodePoints(a, b)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (k, v) in a.members {
                guard let w = b[k], v == w else { return false }
            }
            return true
        default: return false
        }
    }
}

extension JSONValue {
    /// Equality by code points (JSON Schema), not by canonical equivalence as
    /// Swift's `==` would; compares the UTF-8 bytes in place.
    static func sameCodePoints(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { pa in b.withUTF8 { pb in pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 } }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(keys: elements.map(\.0), values: elements.map(\.1)))
    }
}
