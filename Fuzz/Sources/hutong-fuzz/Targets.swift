import Foundation
import Replication
import Standard
import Transport

// The libFuzzer targets for what a peer's bytes reach first. The target is named
// by HUTONG_FUZZ_TARGET (json, envelope or batch); the arguments are
// libFuzzer's own. A crash, a trap (arithmetic overflow, a forced unwrap) or
// a hang is what they look for: nothing a peer sends may cause one.

enum Target: String, CaseIterable {
    /// The JSON parser, its tape and the canonical writer.
    case json
    /// One envelope line as a peer sends it: read, checked, merged, masked.
    case envelope
    /// A whole batch as the server reads a push: the input's lines between a
    /// signed header and end line (so the records get past the signature), or,
    /// when the first byte is odd, the input itself as the batch.
    case batch
}

let environment = ProcessInfo.processInfo.environment
let target: Target = {
    guard let t = environment["HUTONG_FUZZ_TARGET"].flatMap(Target.init(rawValue:)) else {
        FileHandle.standardError.write(Data("set HUTONG_FUZZ_TARGET to one of \(Target.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return t
}()
let catalog = try! StandardCatalog(directory: URL(fileURLWithPath: environment["HUTONG_SCHEMAS"] ?? "Schemas"))
let envelopeSchema = catalog.schema(named: "envelope")!
let key = NodeKey.generate()
let peerKey = try! PeerKey(base64: key.publicKeyBase64)
/// Batches made now (signed) or at any time (raw: their age must not stop the fuzzer at the header).
let reader = BatchReader(catalog: catalog)
let rawReader = BatchReader(catalog: catalog, maxAge: 100 * 365 * 86_400)
/// A stored version for what arrives to merge with.
let local = Envelope(id: "00000000-0000-5000-8000-000000000000", type: "violation_lead", owner: "node-l",
                     vv: VersionVector(["node-l": 3, "node-f": 1]), hlc: HLCTimestamp(millis: 1_700_000_000_000, logical: 7),
                     writer: "node-l", deleted: false, hash: String(repeating: "0", count: 64), body: ["x": "y"])

/// Everything a received version goes through on its way into a store, short of the store.
func exercise(_ e: Envelope) {
    var clock = HybridLogicalClock(last: HLCTimestamp(millis: e.hlc.millis, logical: .max), maxSkewMillis: .max)
    try? clock.observe(e.hlc, wall: e.hlc.millis)
    _ = clock.now(wall: 0)
    _ = try? e.vv.incremented(for: e.writer)
    _ = try? e.vv.incremented(for: "node-l")
    for policy in ConflictPolicy.allCases {
        _ = MergeRules.apply(e, over: local, policy: policy)
        _ = MergeRules.apply(local, over: e, policy: policy)
        _ = MergeRules.apply(e, over: e, policy: policy)
    }
    if let rt = catalog.recordTypes[e.type] {
        _ = rt.maskingProblem(e.masked, body: e.body)
        _ = Masking.mask(e, fields: rt.personalFields)
    }
    let line = e.line
    _ = try? Envelope(json: JSONParser.parse(line))
}

func fuzzJSON(_ bytes: UnsafeBufferPointer<UInt8>) {
    if let v = try? JSONParser.parse(bytes) {
        _ = JSONWriter.string(v)
        _ = CanonicalJSON.bytes(v)
        _ = ContentHash.of(v)
    }
    var tape = JSONTape()
    if (try? tape.parse(bytes)) != nil { _ = tape.value() }
}

func fuzzEnvelope(_ bytes: UnsafeBufferPointer<UInt8>) {
    var tape = JSONTape()
    guard (try? tape.parse(bytes)) != nil else { return }
    _ = envelopeSchema.isValid(tape)
    _ = envelopeSchema.validate(tape)
    for parsed in [false, true] {
        if var e = try? Envelope(tape: tape, parsedBody: parsed) {
            if !parsed { e.body = tape.member("body") ?? .null }
            exercise(e)
        }
    }
}

func fuzzBatch(_ bytes: UnsafeBufferPointer<UInt8>) {
    let input: [UInt8]
    var reader = reader
    if let first = bytes.first, first & 1 == 1 {
        input = Array(bytes.dropFirst())
        reader = rawReader
    } else {
        let lines = Array(bytes.dropFirst())
        let writer = BatchWriter(header: BatchHeader(node: "node-f", epoch: "6f1c2a9e-3b7d-4e58-9a0c-2d4f6b8e1a37", seqFrom: 0, schemaVersion: catalog.version), key: key)
        var out = writer.headerLine
        let start = out.count
        out += lines
        if out.last != 0x0A { out.append(0x0A) }
        writer.appended(out, from: start, count: out[start...].filter { $0 == 0x0A }.count)
        out += (try? writer.end(seqTo: 1)) ?? []
        input = out
    }
    guard let decoded = try? reader.read(input, from: "node-f", key: peerKey, bodies: true, allowed: { type, _ in type != "penalty" }) else { return }
    for e in decoded.versions { exercise(e) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    switch target {
    case .json: fuzzJSON(bytes)
    case .envelope: fuzzEnvelope(bytes)
    case .batch: fuzzBatch(bytes)
    }
    return 0
}

