import Foundation
import JSON
import Logging

/// One line per event on standard output, as journald or a terminal wants it:
/// under systemd (`JOURNAL_STREAM` set) a syslog priority prefix (`<6>`) and
/// no timestamp of its own, since the journal stamps each line; otherwise a
/// UTC timestamp and the level, or a JSON object per line. Messages are the
/// daemon's own sentences: no key, token, ID number or personal name is put
/// in one.
public struct LineLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable { case journal, plain, json }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let format: Format
    let label: String
    private static let lock = NSLock()

    public init(label: String, level: Logger.Level, format: Format) {
        self.label = label
        logLevel = level
        self.format = format
    }

    /// journald when systemd connected standard output to it, else plain.
    public static func defaultFormat(environment: [String: String] = ProcessInfo.processInfo.environment) -> Format {
        environment["JOURNAL_STREAM"] != nil ? .journal : .plain
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        Self.write(Self.line(level: event.level, message: event.message.description, format: format))
    }

    /// UTC, seconds: a value-type style, which needs none of ICU's calendar data (memory a daemon at rest would keep).
    static let stamp = Date.ISO8601FormatStyle()

    static func line(level: Logger.Level, message: String, format: Format, now: Date = Date()) -> String {
        let text = message.replacingOccurrences(of: "\n", with: " ")
        switch format {
        case .journal:
            return "<\(priority(level))>\(text)"
        case .plain:
            return "\(stamp.format(now)) \(level.rawValue) \(text)"
        case .json:
            return JSONWriter.string(.object(JSONObject(["at": .string(stamp.format(now)),
                                                         "level": .string(level.rawValue), "message": .string(text)])))
        }
    }

    /// syslog priorities, as journald reads them from a `<N>` prefix.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private static func write(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
