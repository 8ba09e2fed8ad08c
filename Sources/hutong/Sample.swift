import ArgumentParser
import Foundation
import Standard
import JSON

/// `hutong sample`: realistic records for demos, tests and benchmarks.
struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write realistic sample records of the standard as NDJSON.",
        discussion: """
            Valid records pass `hutong validate`; with --invalid-ratio, that share of records \
            breaks one known rule each. --manifest writes which records are invalid and why, \
            one JSON line each: {"line": N, "rule": "...", "instanceLocation": "/..."}. \
            The same --seed always gives the same records.
            """
    )

    @Option(help: ArgumentHelp("Record type: \(StandardCatalog.recordTypeNames.joined(separator: ", ")).", valueName: "type"))
    var type: String

    @Option(help: "How many records to write.")
    var count: Int

    @Option(help: "Seed for the generator.")
    var seed: UInt64 = 1

    @Option(name: .customLong("invalid-ratio"), help: ArgumentHelp("Share of records (0 to 1) made invalid on purpose.", valueName: "ratio"))
    var invalidRatio: Double = 0

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Write the list of invalid records and their reasons to this file.", valueName: "file"))
    var manifest: String?

    func validate() throws {
        if count < 0 { throw ValidationError("--count must not be negative") }
        if !StandardCatalog.recordTypeNames.contains(type) {
            throw ValidationError("unknown --type \"\(type)\"; use one of \(StandardCatalog.recordTypeNames.joined(separator: ", "))")
        }
        if !(0...1).contains(invalidRatio) { throw ValidationError("--invalid-ratio must be between 0 and 1") }
    }

    func run() throws {
        var generator = try SampleGenerator(type: type, seed: seed, invalidRatio: invalidRatio)
        let out = try Self.open(output)
        let manifestOut = try manifest.map { try Self.open($0) }
        var buffer: [UInt8] = []
        var manifestBuffer: [UInt8] = []
        var invalid = 0
        for line in stride(from: 1, through: count, by: 1) {
            let s = generator.next()
            JSONWriter.write(s.record, into: &buffer)
            buffer.append(0x0A)
            if let d = s.defect {
                invalid += 1
                JSONWriter.write(["line": .int(Int64(line)), "rule": .string(d.rule), "instanceLocation": .string(d.instanceLocation)], into: &manifestBuffer)
                manifestBuffer.append(0x0A)
            }
            if buffer.count > 1 << 20 { out.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
        }
        out.write(Data(buffer))
        manifestOut?.write(Data(manifestBuffer))
        if output != nil {
            FileHandle.standardError.write(Data("wrote \(count) \(type) records (\(invalid) invalid on purpose) to \(output!)\n".utf8))
        }
    }

    static func open(_ path: String?) throws -> FileHandle {
        guard let path else { return FileHandle.standardOutput }
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure(code: ExitStatus.usage, message: "cannot write \(path)")
        }
        return h
    }
}
