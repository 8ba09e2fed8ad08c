/// A JSON document as one flat array of entries in document order, over one
/// buffer of bytes: what the validator walks. Checking a record on a tape
/// allocates nothing per value and counts no references, where a `JSONValue`
/// tree costs an allocation per string, array and object and a retain for every
/// value visited (most of the time validation took). A tape is reused
/// record after record: parsing into it keeps its capacity.
///
/// Layout: a container's entry is followed by its children's entries; an
/// object's children are, per member, the name (a string entry) then the
/// value's entries. `end` of a container is the index just past its subtree.
public struct JSONTape: Sendable {
    public enum Kind: UInt8, Sendable {
        case null, bool, int, double, string, array, object
    }

    @usableFromInline struct Entry: Sendable {
        @usableFromInline var kind: Kind
        /// Strings: every byte is ASCII.
        @usableFromInline var ascii = true
        /// Member names: `KeyHash` of the name's bytes.
        @usableFromInline var hash: UInt32 = 0
        /// Strings: where the (unescaped) content starts in `bytes`. Parsed
        /// containers: where their text starts.
        @usableFromInline var offset: UInt32 = 0
        /// Strings: content length in bytes. Parsed containers: text length.
        @usableFromInline var length: UInt32 = 0
        /// Containers: number of members or items.
        @usableFromInline var count: UInt32 = 0
        /// Containers: index of the entry after the subtree.
        @usableFromInline var end: UInt32 = 0
        /// Integers and doubles: the bit pattern; booleans: 0 or 1.
        @usableFromInline var payload: UInt64 = 0

        init(kind: Kind) { self.kind = kind }

        /// A string whose content is at `offset` in the tape's bytes.
        static func string(at offset: Int, _ content: UnsafeBufferPointer<UInt8>, ascii: Bool, hash: UInt32) -> Entry {
            var e = Entry(kind: .string)
            e.offset = UInt32(offset)
            e.length = UInt32(content.count)
            e.ascii = ascii
            e.hash = hash
            return e
        }
    }

    /// The parsed text, then the content of strings that had escapes.
    @usableFromInline var bytes: [UInt8] = []
    @usableFromInline var entries: [Entry] = []
    /// Whether containers know their text (tapes built from a `JSONValue` have none).
    @usableFromInline private(set) var hasText = false

    public init() {}

    /// Parses one JSON text (see `JSONParser`).
    public init(parsing text: UnsafeBufferPointer<UInt8>) throws(JSONParseError) {
        try parse(text)
    }

    /// Parses `text` into this tape, replacing what it held and keeping its capacity.
    public mutating func parse(_ text: UnsafeBufferPointer<UInt8>) throws(JSONParseError) {
        // Offsets are 32-bit and the bytes hold the text, then unescaped strings
        // (at most as long again). Record lines are at most 16 MB; files are read record by record.
        guard text.count < Int(UInt32.max) / 2 else {
            throw JSONParseError(offset: 0, line: 1, column: 1, reason: "a JSON text of 2 GB or more is not read whole; split it into records (NDJSON)")
        }
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: text)
        hasText = true
        try JSONParser.parse(text, into: &self)
    }

    /// The tape of a value already parsed (schemas and tests validate trees).
    public init(_ value: JSONValue) {
        append(value)
    }

    private mutating func append(_ value: JSONValue, hash: UInt32 = 0) {
        switch value {
        case .null: entries.append(Entry(kind: .null))
        case .bool(let b):
            var e = Entry(kind: .bool)
            e.payload = b ? 1 : 0
            entries.append(e)
        case .int(let i):
            var e = Entry(kind: .int)
            e.payload = UInt64(bitPattern: i)
            entries.append(e)
        case .double(let d):
            var e = Entry(kind: .double)
            e.payload = d.bitPattern
            entries.append(e)
        case .string(let s): appendString(s, hash: hash)
        case .array(let items):
            let at = entries.count
            entries.append(Entry(kind: .array))
            // By index: a for-in over the array copies (retains) each item.
            for i in items.indices { append(items[i]) }
            entries[at].count = UInt32(items.count)
            entries[at].end = UInt32(entries.count)
        case .object(let o):
            let at = entries.count
            entries.append(Entry(kind: .object))
            for i in 0..<o.count {
                appendString(o.keys[i], hash: o.hashes[i])
                append(o.values[i])
            }
            entries[at].count = UInt32(o.count)
            entries[at].end = UInt32(entries.count)
        }
    }

    private mutating func appendString(_ s: String, hash: UInt32) {
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ appendString($0, hash: hash) }) { return done }
        var s = s
        s.withUTF8 { appendString($0, hash: hash) }
    }

    /// A string whose content is not (or not as is) in the text: appended to `bytes`.
    mutating func appendString(_ content: UnsafeBufferPointer<UInt8>, hash: UInt32) {
        entries.append(.string(at: bytes.count, content, ascii: !content.contains { $0 >= 0x80 }, hash: hash))
        bytes.append(contentsOf: content)
    }

    /// The entries and bytes for the duration of `body`, without copies.
    @inlinable public func withView<R>(_ body: (JSONTapeView) throws -> R) rethrows -> R {
        try entries.withUnsafeBufferPointer { e in
            try bytes.withUnsafeBufferPointer { b in try body(JSONTapeView(entries: e, bytes: b, hasText: hasText)) }
        }
    }

    /// The value at entry `i` (the whole document by default) as a tree.
    public func value(_ i: Int = 0) -> JSONValue {
        withView { $0.value(i) }
    }

    /// The document with the containers inside it given empty: enough to
    /// tell a record's kind by its top-level members, without building the rest.
    public func topLevel() -> JSONValue {
        withView { $0.value(0, depth: 1) }
    }

    /// The document's member `name` as a tree (nil when the document is not
    /// an object or lacks it).
    public func member(_ name: StaticString) -> JSONValue? {
        withView { v in v.member(0, named: name).map { v.value($0) } }
    }

    /// Whether the document is an object with a member `name`.
    public func hasMember(_ name: StaticString) -> Bool {
        withView { $0.member(0, named: name) != nil }
    }

    /// The document's member `name` when it is a string, made straight from
    /// the tape: for readers that know their fields and want no tree of them.
    public func stringMember(_ name: StaticString) -> String? {
        withView { v in
            guard let i = v.member(0, named: name), v.kind(i) == .string else { return nil }
            return v.makeString(i)
        }
    }

    /// The document's member `name` when it is true or false.
    public func boolMember(_ name: StaticString) -> Bool? {
        withView { v in
            guard let i = v.member(0, named: name), v.kind(i) == .bool else { return nil }
            return v.bool(i)
        }
    }

    /// The document as a tree with its member `name` given as null, not
    /// built: a record's envelope whose body is kept as text.
    public func value(nulling name: StaticString) -> JSONValue {
        withView { v in v.value(0, skipping: v.member(0, named: name) ?? -1) }
    }

    /// The text, as parsed, of the document's member `name` when that is an
    /// object or an array (a record's body): nil when the document is not an
    /// object, lacks the member, or was not parsed from text.
    public func memberText(_ name: StaticString) -> ArraySlice<UInt8>? {
        withView { v -> Range<Int>? in
            guard v.hasText, let i = v.member(0, named: name), v.kind(i) == .object || v.kind(i) == .array else { return nil }
            let e = v.entries[i]
            return Int(e.offset)..<Int(e.offset + e.length)
        }.map { bytes[$0] }
    }
}
