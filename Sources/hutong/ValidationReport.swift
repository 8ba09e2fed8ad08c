import Foundation
import Standard
import JSON
import JSONSchema

/// Prints verdicts as they arrive (text like a compiler, or one JSON line per
/// record) and keeps the counts for the summary and the exit code.
struct ValidationReport {
    let format: Validate.Format
    let strict: Bool
    let verbose: Bool
    let quiet: Bool

    private var files = 0
    private var records = 0
    private var invalid = 0
    private var errors = 0
    private var warnings = 0
    private var brokenFiles = 0
    private var unreadableCount = 0
    private let started = Date()
    private var out = BufferedOutput()

    init(format: Validate.Format, strict: Bool, verbose: Bool, quiet: Bool) {
        self.format = format
        self.strict = strict
        self.verbose = verbose
        self.quiet = quiet
    }

    var exitCode: Int32 {
        if unreadableCount > 0 { return ExitStatus.usage }
        return invalid > 0 || brokenFiles > 0 ? ExitStatus.dataProblem : ExitStatus.ok
    }

    mutating func startFile() { files += 1 }

    mutating func unreadable(_ message: String) {
        unreadableCount += 1
        out.flush()
        FileHandle.standardError.write(Data("hutong validate: \(message)\n".utf8))
    }

    mutating func fileProblem(file: String, _ p: FileProblem) {
        brokenFiles += 1
        switch format {
        case .text: out.line("\(file):\(p.line):\(p.column): \(p.message)")
        case .json:
            out.json(["file": .string(file), "line": .int(Int64(p.line)), "column": .int(Int64(p.column)), "valid": false,
                      "errors": [["message": .string(p.message)]]])
        }
    }

    mutating func add(_ verdicts: [RecordVerdict]) {
        for v in verdicts {
            records += 1
            let valid = v.isValid(strict: strict)
            if !valid { invalid += 1 }
            errors += v.errorCount + (strict ? v.warningCount : 0)
            warnings += strict ? 0 : v.warningCount
            switch format {
            case .text: if !quiet { text(v) }
            case .json: json(v, valid: valid)
            }
        }
        out.flushIfLarge()
    }

    private mutating func text(_ v: RecordVerdict) {
        for (i, issue) in v.issues.enumerated() {
            let line = i < v.issueLines.count ? v.issueLines[i] : v.line
            let level = issue.severity == .warning && !strict ? "warning: " : ""
            let place = issue.instanceLocation.isEmpty ? "" : issue.instanceLocation + ": "
            let keyword = verbose && !issue.keywordLocation.isEmpty ? " [\(Self.short(issue.keywordLocation))]" : ""
            out.line("\(v.file):\(line): \(level)\(place)\(issue.message)\(keyword)")
        }
    }

    private mutating func json(_ v: RecordVerdict, valid: Bool) {
        func encode(_ issues: [ValidationIssue]) -> JSONValue {
            .array(issues.enumerated().map { i, issue in
                [
                    "instanceLocation": .string(issue.instanceLocation),
                    "keywordLocation": .string(issue.keywordLocation),
                    "message": .string(issue.message),
                    "line": .int(Int64(i < v.issueLines.count ? v.issueLines[i] : v.line)),
                ]
            })
        }
        let errs = v.issues.filter { $0.severity == .error || strict }
        let warns = strict ? [] : v.issues.filter { $0.severity == .warning }
        var o = JSONObject()
        o["file"] = .string(v.file)
        o["record"] = .int(Int64(v.index))
        o["line"] = .int(Int64(v.line))
        o["schema"] = v.schemaName.map { .string($0) } ?? .null
        o["valid"] = .bool(valid)
        o["errors"] = encode(errs)
        o["warnings"] = encode(warns)
        out.json(.object(o))
    }

    /// Keyword locations of the standard's own files are shown by file name.
    static func short(_ location: String) -> String {
        location.hasPrefix(StandardCatalog.baseURI) ? String(location.dropFirst(StandardCatalog.baseURI.count)) : location
    }

    mutating func finish() {
        let seconds = Date().timeIntervalSince(started)
        switch format {
        case .text:
            var s = "\(files) file\(files == 1 ? "" : "s"), \(records) record\(records == 1 ? "" : "s"): \(records - invalid) valid, \(invalid) invalid"
            s += " (\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"))"
            if brokenFiles > 0 { s += ", \(brokenFiles) file\(brokenFiles == 1 ? "" : "s") with structural problems" }
            if unreadableCount > 0 { s += ", \(unreadableCount) path\(unreadableCount == 1 ? "" : "s") not read" }
            s += String(format: " in %.2f s", seconds)
            out.line(s)
        case .json:
            out.json(["summary": [
                "files": .int(Int64(files)), "records": .int(Int64(records)), "valid": .int(Int64(records - invalid)),
                "invalid": .int(Int64(invalid)), "errors": .int(Int64(errors)), "warnings": .int(Int64(warnings)),
                "broken_files": .int(Int64(brokenFiles)), "unreadable": .int(Int64(unreadableCount)), "seconds": .double(seconds),
            ]])
        }
        out.flush()
    }
}

/// Standard output written in large blocks: verdicts of big files are many lines.
struct BufferedOutput {
    private var buffer: [UInt8] = []

    mutating func line(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        buffer.append(0x0A)
    }

    mutating func json(_ v: JSONValue) {
        JSONWriter.write(v, into: &buffer)
        buffer.append(0x0A)
    }

    mutating func flushIfLarge() { if buffer.count > 1 << 20 { flush() } }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
