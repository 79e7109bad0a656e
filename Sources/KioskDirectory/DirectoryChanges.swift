import KioskCore

/// What changes from one directory to another, by service id: what `hubkiosk directory import` shows before it
/// applies a new copy, and what the log says after a pull.
public struct DirectoryChanges: Sendable, Equatable {
    public var added: [DirectoryService] = []
    public var removed: [DirectoryService] = []
    /// Same id, another name.
    public var renamed: [(from: String, to: String, id: String)] = []
    /// Same id, other opening times.
    public var schedulesChanged: [DirectoryService] = []
    /// Same id, other details (phones, addresses, status, terms…), with the fields that differ.
    public var otherwiseChanged: [(service: DirectoryService, fields: [String])] = []
    /// Active services before and after.
    public var activeBefore = 0
    public var activeAfter = 0

    public init(from old: ServiceDirectory, to new: ServiceDirectory) {
        let before = Dictionary(old.services.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Set(new.services.map(\.id))
        activeBefore = old.services.filter { $0.status == .active }.count
        activeAfter = new.services.filter { $0.status == .active }.count
        for service in new.services {
            guard let previous = before[service.id] else {
                added.append(service)
                continue
            }
            var fields = service.differences(from: previous)
            if fields.contains("name") {
                renamed.append((from: previous.name, to: service.name, id: service.id))
                fields.removeAll { $0 == "name" }
            }
            if fields.contains("schedules") {
                schedulesChanged.append(service)
                fields.removeAll { $0 == "schedules" }
            }
            if !fields.isEmpty { otherwiseChanged.append((service, fields)) }
        }
        removed = old.services.filter { !after.contains($0.id) }
    }

    public var isEmpty: Bool {
        added.isEmpty && removed.isEmpty && renamed.isEmpty && schedulesChanged.isEmpty && otherwiseChanged.isEmpty
    }

    /// "12 added, 3 removed, 1 renamed, 4 with new opening times, 2 otherwise changed", or "no changes".
    public var summary: String {
        guard !isEmpty else { return "no changes" }
        var parts: [String] = []
        if !added.isEmpty { parts.append("\(added.count) added") }
        if !removed.isEmpty { parts.append("\(removed.count) removed") }
        if !renamed.isEmpty { parts.append("\(renamed.count) renamed") }
        if !schedulesChanged.isEmpty { parts.append("\(schedulesChanged.count) with new opening times") }
        if !otherwiseChanged.isEmpty { parts.append("\(otherwiseChanged.count) otherwise changed") }
        return parts.joined(separator: ", ")
    }

    /// One line per change, at most `limit` per kind (then "… and N more").
    public func lines(limit: Int = 50) -> [String] {
        var lines: [String] = []
        func add<T>(_ items: [T], _ line: (T) -> String) {
            lines += items.prefix(limit).map(line)
            if items.count > limit { lines.append("  … and \(items.count - limit) more") }
        }
        add(added) { "+ added \"\($0.name)\" (\($0.id))" }
        add(removed) { "- removed \"\($0.name)\" (\($0.id))" }
        add(renamed) { "~ renamed \"\($0.from)\" to \"\($0.to)\" (\($0.id))" }
        add(schedulesChanged) { "~ opening times changed: \"\($0.name)\" (\($0.id))" }
        add(otherwiseChanged) {
            "~ changed \($0.fields.joined(separator: ", ")): \"\($0.service.name)\" (\($0.service.id))"
        }
        return lines
    }

    /// Whether the new copy loses more than `percent` % of the active services (and at least 3): too sudden to use
    /// without staff confirming it.
    public func losesMost(percent: Int) -> Bool {
        guard activeBefore > 0 else { return false }
        let lost = activeBefore - activeAfter
        return lost >= 3 && lost * 100 > activeBefore * percent
    }

    public static func == (lhs: DirectoryChanges, rhs: DirectoryChanges) -> Bool {
        lhs.lines(limit: .max) == rhs.lines(limit: .max)
    }
}
