import KioskCore

/// Something wrong in a directory file, with the service and field it is in.
public struct DirectoryProblem: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        /// The file cannot be used as it is.
        case error
        /// The file works, but a slip will be poorer for it.
        case warning
    }

    public var severity: Severity
    public var line: Int?
    /// The service's `id`, when the problem is inside a service.
    public var serviceID: String?
    /// Where in the service (`schedules[0].byday`), or in the file.
    public var field: String
    public var message: String

    public init(severity: Severity, line: Int?, serviceID: String?, field: String, message: String) {
        self.severity = severity
        self.line = line
        self.serviceID = serviceID
        self.field = field
        self.message = message
    }

    /// `line 42: service "svc-food-1", schedules[0].byday: "2XX" is not …`.
    public var description: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        var location = ""
        if let serviceID { location = "service \"\(serviceID)\"" }
        if !field.isEmpty { location += location.isEmpty ? field : ", \(field)" }
        let prefix = parts.isEmpty ? "" : parts.joined() + ": "
        return location.isEmpty ? prefix + message : prefix + location + ": " + message
    }
}

/// A directory file that cannot be used, with every problem found in it.
public struct DirectoryError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [DirectoryProblem]

    public init(file: String, problems: [DirectoryProblem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        let errors = problems.filter { $0.severity == .error }
        var text = "\(file): \(errors.count) problem\(errors.count == 1 ? "" : "s") stop this directory being used:\n"
        for problem in errors { text += "  \(file): \(problem)\n" }
        text += "Fix the file (`hubkiosk directory check \(file)` lists every problem) and start again."
        return text
    }
}
