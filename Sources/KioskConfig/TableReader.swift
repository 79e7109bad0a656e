import KioskCore
import KioskDirectory
import TOMLKit

/// Reads one TOML table with typed accessors, collecting problems (wrong type, out of range, unknown key) with
/// the line each key is on.
package struct TableReader {
    package let table: TOMLTable?
    let name: String
    let index: Int?
    let context: ReaderContext
    private(set) var used: Set<String> = []

    package init(_ table: TOMLTable?, name: String, index: Int? = nil, context: ReaderContext) {
        self.table = table
        self.name = name
        self.index = index
        self.context = context
    }

    /// How the key is shown in messages: `[visit] idle_seconds`, `[[needs]] #2 code`.
    package func label(_ key: String?) -> String {
        var text: String
        if name.isEmpty {
            text = ""
        } else if let index {
            text = "[[\(name)]] #\(index + 1)"
        } else {
            text = "[\(name)]"
        }
        if let key { text += text.isEmpty ? key : " \(key)" }
        return text
    }

    package func problem(_ key: String?, _ message: String) {
        context.add(
            ConfigProblem(
                file: context.file, line: context.locator.line(table: name, index: index, key: key), key: label(key),
                message: message))
    }

    package func has(_ key: String) -> Bool { table?[key] != nil }

    /// Marks `key` as known (a sub-table read by its own reader).
    package mutating func markKnown(_ key: String) {
        used.insert(key)
    }

    package mutating func string(_ key: String) -> String? {
        used.insert(key)
        guard let value = table?[key] else { return nil }
        guard let text = value.string else {
            problem(key, "should be text in quotes; found \(value.type)")
            return nil
        }
        return text
    }

    package mutating func strings(_ key: String) -> [String]? {
        used.insert(key)
        guard let value = table?[key] else { return nil }
        guard let array = value.array else {
            problem(key, "should be a list of text, like [\"a\", \"b\"]; found \(value.type)")
            return nil
        }
        var result: [String] = []
        for item in array {
            guard let text = item.string else {
                problem(key, "every item should be text in quotes; found \(item.type)")
                return nil
            }
            result.append(text)
        }
        return result
    }

    package mutating func bool(_ key: String) -> Bool? {
        used.insert(key)
        guard let value = table?[key] else { return nil }
        guard let flag = value.bool else {
            problem(key, "should be true or false; found \(value.type)")
            return nil
        }
        return flag
    }

    /// A number within `range` (integers and decimals both accepted). Infinities, NaN and magnitudes no setting
    /// can have are problems like any other value out of range, never a trap.
    package mutating func number(_ key: String, in range: ClosedRange<Double>, unit: String) -> Double? {
        used.insert(key)
        guard let value = table?[key] else { return nil }
        let number: Double
        let written: String
        if let int = value.int {
            number = Double(int)
            written = String(int)
        } else if let double = value.double {
            number = double
            written = Self.format(double)
        } else {
            problem(key, "should be a number of \(unit); found \(value.type)")
            return nil
        }
        guard number.isFinite, range.contains(number) else {
            let use = "use \(Self.format(range.lowerBound))–\(Self.format(range.upperBound))"
            problem(
                key,
                number.isFinite
                    ? "\(written) \(unit) is out of range; \(use)" : "\(written) is not a number of \(unit); \(use)")
            return nil
        }
        return number
    }

    package mutating func integer(_ key: String, in range: ClosedRange<Int>, unit: String) -> Int? {
        used.insert(key)
        guard let value = table?[key] else { return nil }
        guard let int = value.int else {
            if let double = value.double {
                problem(
                    key,
                    "should be a whole number of \(unit), like \(range.lowerBound); found \(Self.format(double))")
            } else {
                problem(key, "should be a whole number of \(unit); found \(value.type)")
            }
            return nil
        }
        guard range.contains(int) else {
            problem(key, "\(int) \(unit) is out of range; use \(range.lowerBound)–\(range.upperBound)")
            return nil
        }
        return int
    }

    package mutating func duration(seconds key: String, in range: ClosedRange<Double>) -> Duration? {
        number(key, in: range, unit: "seconds").flatMap {
            checkedDuration(key, $0, unit: "seconds", make: Duration.milliseconds)
        }
    }

    package mutating func duration(milliseconds key: String, in range: ClosedRange<Double>) -> Duration? {
        number(key, in: range, unit: "milliseconds").flatMap {
            checkedDuration(key, $0, unit: "milliseconds", make: Duration.microseconds)
        }
    }

    /// `value` in thousandths (`make` is `.milliseconds` for seconds, `.microseconds` for milliseconds), or a
    /// problem when that does not fit in 64 bits: a checked conversion, whatever range a caller allows.
    private func checkedDuration(
        _ key: String, _ value: Double, unit: String, make: (Int64) -> Duration
    ) -> Duration? {
        guard let thousandths = Int64(exactly: (value * 1000).rounded()) else {
            problem(key, "\(Self.format(value)) \(unit) is too long to be a duration")
            return nil
        }
        return make(thousandths)
    }

    /// Reports keys that were never read: a misspelt key must not silently fall back to a default.
    package func reportUnknownKeys() {
        guard let table else { return }
        for key in table.keys.sorted() where !used.contains(key) {
            let suggestion = used.min { editDistance($0, key) < editDistance($1, key) }
            var message = "is not a setting \(context.product) knows"
            if let suggestion, editDistance(suggestion, key) <= 3 {
                message += "; did you mean \(suggestion)?"
            } else if !used.isEmpty {
                message += "; known here: " + used.sorted().joined(separator: ", ")
            }
            problem(key, message)
        }
    }

    /// A number as a person would write it: `60`, `0.5`, `1e+300`, `inf`, `nan` (never a trapping conversion).
    static func format(_ number: Double) -> String {
        if let whole = Int64(exactly: number), whole.magnitude < 1_000_000_000_000_000 { return String(whole) }
        return String(number)
    }
}

/// Shared by the readers of one file.
package final class ReaderContext {
    package let file: String
    package let locator: TOMLLocator
    /// The program whose settings these are, as messages name it.
    package var product = "HubKiosk"
    package private(set) var problems: [ConfigProblem] = []

    package init(file: String, text: String) {
        self.file = file
        self.locator = TOMLLocator(text: text)
    }

    package func add(_ problem: ConfigProblem) {
        problems.append(problem)
    }
}

extension ReaderContext {
    /// Parses `text` (the file `file`) as TOML; a syntax error stops with its line, column and the key written
    /// there (a number out of 64-bit range, `1e999` or `9223372036854775808`, is one: TOML's own limit).
    package static func parse(_ text: String, file: String) throws(ConfigError) -> (TOMLTable, ReaderContext) {
        let context = ReaderContext(file: file, text: text)
        // TOMLKit hands the text to toml++ as a C string: a NUL would silently end the file there.
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = 1 + text.utf8[..<nul].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw ConfigError(
                ConfigProblem(
                    file: file, line: line, key: nil,
                    message:
                        "is not text (byte 0x00 at offset \(text.utf8.distance(from: text.utf8.startIndex, to: nul)), line \(line)); is it a binary file?"
                ))
        }
        if let finding = TOMLGuard.check(text) {
            let key = context.locator.key(onLine: finding.line).map {
                TableReader(nil, name: $0.table, index: $0.index, context: context).label($0.key)
            }
            throw ConfigError(
                ConfigProblem(
                    file: file, line: finding.line, column: finding.column, key: key,
                    message: "not valid TOML: \(finding.message)"))
        }
        do {
            return (try TOMLTable(string: text), context)
        } catch let error as TOMLParseError {
            let line = error.source.begin.line
            let key = context.locator.key(onLine: line).map {
                TableReader(nil, name: $0.table, index: $0.index, context: context).label($0.key)
            }
            // toml++ refuses numbers beyond 64 bits (`1e999`, `9223372036854775808`) as syntax errors.
            let text = error.description
            let number =
                text.contains("not representable in 64 bits")
                || (text.contains("floating-point") && text.contains("could not be interpreted"))
            throw ConfigError(
                ConfigProblem(
                    file: file, line: line, column: error.source.begin.column, key: key,
                    message: "not valid TOML: \(error.description)"
                        + (number
                            ? " (no setting takes a number this large; see the range in Simulator/kiosk.toml)" : "")))
        } catch {
            throw ConfigError(ConfigProblem(file: file, line: nil, key: nil, message: "not valid TOML: \(error)"))
        }
    }
}

/// Edit distance (a swap of neighbours counts as one edit), for "did you mean" hints: the directory reader's.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8)
    let b = Array(b.utf8)
    return FieldSpelling.editDistance(a, b, limit: max(a.count, b.count))
}
