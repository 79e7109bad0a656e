/// One thing wrong in a configuration file: where it is, what is wrong, and what to do.
public struct ConfigProblem: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The key, as written in the file (`[visit] idle_seconds`, `[[needs]] #3 code`).
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, column: Int? = nil, key: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// `kiosk.toml:12: [visit] idle_seconds: must be …` (the form compilers use, so editors can jump to it).
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        if let key { return "\(location): \(key): \(message)" }
        return "\(location): \(message)"
    }
}

/// A configuration file that cannot be used. Start-up stops before the database is touched.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public init(_ problem: ConfigProblem) {
        self.problems = [problem]
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
