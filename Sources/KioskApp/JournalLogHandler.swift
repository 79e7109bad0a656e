import Foundation
import Logging
import Synchronization

/// Logs one line per message on standard error, in a form journald understands: under systemd (`JOURNAL_STREAM`
/// set) each line starts with the `<N>` syslog priority prefix of sd-daemon(3) and no timestamp (journald adds
/// one); on a terminal, with a local timestamp and the level in words.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let underJournal: Bool

    private static let lock = Mutex(())

    public init(
        label: String, level: Logger.Level = .info, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.label = label
        self.logLevel = level
        self.underJournal = environment["JOURNAL_STREAM"] != nil
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The sd-daemon priority of a level.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let rendered = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote("\($0.value)"))" }
        var line: String
        if underJournal {
            line = "<\(Self.priority(event.level))>\(event.message)"
        } else {
            line = "\(Self.timestamp()) \(event.level.rawValue) \(label): \(event.message)"
        }
        if !rendered.isEmpty { line += " " + rendered.joined(separator: " ") }
        // One message is one line: journald splits on newlines.
        line = line.replacingOccurrences(of: "\n", with: " | ") + "\n"
        Self.lock.withLock { _ in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    static func quote(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" })
            ? "\"" + value.replacingOccurrences(of: "\"", with: "'") + "\"" : value
    }

    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
