import Foundation

/// Finds the line a key was written on, so that errors found after parsing can still name it.
///
/// TOMLKit reports positions for syntax errors only; this scans the text for table headers and `key =` lines.
/// Dotted keys and inline tables are found by their first part, which is close enough to point a person at.
package struct TOMLLocator {
    private struct Section: Hashable {
        var name: String
        var index: Int?
    }

    private var keys: [Section: [String: Int]] = [:]
    private var headers: [Section: Int] = [:]
    private var keyOnLine: [Int: (section: Section, key: String)] = [:]

    package init(text: String) {
        var current = Section(name: "", index: nil)
        var arrayCounts: [String: Int] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let number = offset + 1
            if line.hasPrefix("[[") {
                let name = TOMLLocator.headerName(line.dropFirst(2))
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                current = Section(name: name, index: index)
                headers[current] = number
            } else if line.hasPrefix("[") {
                current = Section(name: TOMLLocator.headerName(line.dropFirst()), index: nil)
                headers[current] = number
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                var key = line[..<equals].trimmingCharacters(in: .whitespaces)
                key = key.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                if let dot = key.firstIndex(of: ".") { key = String(key[..<dot]) }
                if keys[current, default: [:]][key] == nil { keys[current, default: [:]][key] = number }
                keyOnLine[number] = (current, key)
            }
        }
    }

    private static func headerName(_ text: Substring) -> String {
        let end = text.firstIndex(of: "]") ?? text.endIndex
        return text[..<end].trimmingCharacters(in: .whitespaces)
    }

    /// The key written on `line`: its table (`""` for the top level), entry of an array of tables, and name.
    package func key(onLine line: Int) -> (table: String, index: Int?, key: String)? {
        keyOnLine[line].map { ($0.section.name, $0.section.index, $0.key) }
    }

    /// The line of `key` in table `table` (`""` for the top level), entry `index` of an array of tables.
    package func line(table: String, index: Int? = nil, key: String? = nil) -> Int? {
        let section = Section(name: table, index: index)
        if let key, let line = keys[section]?[key] { return line }
        return headers[section]
    }
}
