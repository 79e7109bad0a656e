/// Finds the one shape of input that TOMLKit's parser (toml++ 3) does not reject but traps on: a table header
/// whose first character is neither a key character, a quote nor `]` (`[\u{1B}step]`, `[[[x]]]`, a `[` alone at
/// the end of a line). The parser asserts instead of reporting it, which would end the process; this reports it
/// as the syntax error it is, with its line and column, before the parser sees the text.
package enum TOMLHeaderGuard {
    package struct Problem: Equatable {
        package var line: Int
        package var column: Int
        package var message: String
    }

    /// The first such header in `text`, or nil. Strings, comments and arrays are skipped the way TOML reads them,
    /// so a `[` inside a value is never taken for a header.
    package static func problem(in text: String) -> Problem? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        var lineStart = 0
        var depth = 0  // open [ and { inside a value
        var onlySpaceSinceLineStart = true

        func at(_ offset: Int) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
        func skipString(quote: Unicode.Scalar) {
            let multiLine = at(1) == quote && at(2) == quote
            index += multiLine ? 3 : 1
            while index < scalars.count {
                let c = scalars[index]
                if c == "\\" && quote == "\"" {
                    index += 2
                    continue
                }
                if c == "\n" {
                    if !multiLine { return }
                    line += 1
                    lineStart = index + 1
                }
                if c == quote && (!multiLine || (at(1) == quote && at(2) == quote)) {
                    index += multiLine ? 3 : 1
                    // A multi-line string may end with up to two more quotes of its own.
                    while multiLine && at(0) == quote { index += 1 }
                    return
                }
                index += 1
            }
        }

        while index < scalars.count {
            let c = scalars[index]
            switch c {
            case "\n":
                line += 1
                lineStart = index + 1
                onlySpaceSinceLineStart = true
                index += 1
                continue
            case " ", "\t", "\r":
                index += 1
                continue
            case "#":
                while index < scalars.count && scalars[index] != "\n" { index += 1 }
                continue
            case "\"", "'":
                skipString(quote: c)
                onlySpaceSinceLineStart = false
                continue
            case "[" where depth == 0 && onlySpaceSinceLineStart:
                let column = index - lineStart + 1
                index += 1
                var sawSpace = false
                while at(0) == " " || at(0) == "\t" {
                    sawSpace = true
                    index += 1
                }
                // `[ [` is an error the parser reports itself; `[[` opens an array of tables.
                let spacedSecondBracket = at(0) == "[" && sawSpace
                if at(0) == "[" && !sawSpace {
                    index += 1
                    while at(0) == " " || at(0) == "\t" { index += 1 }
                }
                if !spacedSecondBracket, let next = at(0), !isKeyStart(next) {
                    return Problem(
                        line: line, column: column,
                        message: "not valid TOML: a table header must start with a name, like [hub] or [[buttons]]; "
                            + "found \(describe(next)) after the [")
                }
                onlySpaceSinceLineStart = false
                // The rest of the header is the parser's to check.
                while index < scalars.count && scalars[index] != "\n" && scalars[index] != "#" { index += 1 }
                continue
            case "[", "{":
                depth += 1
            case "]", "}":
                depth = max(0, depth - 1)
            default:
                break
            }
            onlySpaceSinceLineStart = false
            index += 1
        }
        return nil
    }

    private static func isKeyStart(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-", "\"", "'", "]": true
        default: false
        }
    }

    private static func describe(_ c: Unicode.Scalar) -> String {
        if c == "\n" || c == "\r" { return "the end of the line" }
        if c.value < 0x20 || c.value == 0x7F || (0x80..<0xA0).contains(c.value) {
            return "the control character U+" + String(c.value, radix: 16, uppercase: true).leftPadded(to: 4)
        }
        return "'\(Character(c))'"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
