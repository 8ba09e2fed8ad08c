import Foundation

/// Turns the paths a user named into the data files to read.
enum InputFiles {
    static let extensions: Set<String> = ["json", "ndjson", "jsonl"]

    /// Files in the order named (directories searched recursively, sorted), and
    /// messages for paths that cannot be read.
    static func expand(_ paths: [String]) -> (files: [String], problems: [String]) {
        var files: [String] = []
        var problems: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                problems.append("cannot read \(path): no such file or directory")
                continue
            }
            guard isDir.boolValue else { files.append(path); continue }
            guard let walker = fm.enumerator(atPath: path) else {
                problems.append("cannot read directory \(path)")
                continue
            }
            var found: [String] = []
            for case let rel as String in walker where extensions.contains((rel as NSString).pathExtension.lowercased()) {
                found.append((path as NSString).appendingPathComponent(rel))
            }
            if found.isEmpty { problems.append("\(path) holds no .json, .ndjson or .jsonl files") }
            files += found.sorted()
        }
        return (files, problems)
    }

    static func reason(_ error: Error) -> String {
        if let e = error as? CocoaError, e.code == .fileReadNoSuchFile { return "no such file" }
        if let e = error as? CocoaError, e.code == .fileReadNoPermission { return "permission denied" }
        return (error as NSError).localizedDescription
    }
}
