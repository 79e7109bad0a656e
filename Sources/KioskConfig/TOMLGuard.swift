/// Finds, before TOMLKit sees the text, the malformed TOML on which its parser (toml++ 3) aborts instead of
/// reporting an error: its `TOML_ASSERT_ASSUME` checks fail (SIGABRT in a debug build, undefined behaviour with
/// `NDEBUG`). A fuzzer over toml++ with its assertions turned into exceptions found four, all reached only by
/// text that is not valid TOML:
///
/// - a table header whose name starts with neither a key character nor a quote (`[.hub]`, `[`, `[é]`);
/// - `}` where an array expects a value (`x = [}]`, `x = [1, }]`);
/// - a date that runs into something that is not a time (`x = 1979-05-27Tinf`, `x = 1979-05-27 1e`).
///
/// No setting of kiosk.toml (or of a scenario file) is a date or a time, so any date or time value is refused
/// here with a clear message; the other two are refused as the syntax errors they are.
package enum TOMLGuard {
    package struct Finding: Equatable, Sendable {
        package var line: Int
        package var column: Int
        package var message: String
    }

    private enum Nesting {
        case array
        case inlineTable
    }

    /// The first construct of `text` that would abort the TOML parser, if any.
    package static func check(_ text: String) -> Finding? {
        let bytes = Array(text.utf8)
        var index = 0
        var line = 1
        var lineStart = 0
        var nesting: [Nesting] = []
        var atLineStart = true
        var inHeader = false
        var expectingValue = false

        func finding(_ at: Int, _ message: String) -> Finding {
            Finding(line: line, column: at - lineStart + 1, message: message)
        }
        /// The next byte that is not blank, a line break or a comment, from `start`.
        func nextSignificant(from start: Int) -> UInt8? {
            var at = start
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x09, 0x0D, 0x0A: at += 1
                case 0x23:
                    while at < bytes.count && bytes[at] != 0x0A { at += 1 }
                default: return bytes[at]
                }
            }
            return nil
        }

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x0A:
                line += 1
                index += 1
                lineStart = index
                inHeader = false
                if nesting.isEmpty {
                    atLineStart = true
                    expectingValue = false
                }
                continue
            case 0x20, 0x09, 0x0D:
                index += 1
                continue
            case 0x23:  // a comment, to the end of the line
                while index < bytes.count && bytes[index] != 0x0A { index += 1 }
                continue
            case 0x22, 0x27:  // a string: skipped whole, line breaks counted
                let end = endOfString(bytes, from: index)
                for at in index..<end {
                    if bytes[at] == 0x0A {
                        line += 1
                        lineStart = at + 1
                    } else if byte == 0x22 && isNULEscape(bytes, at) {
                        return finding(
                            at,
                            "\\u0000 (a NUL character) cannot be part of a setting; TOMLKit would cut the text there")
                    }
                }
                index = end
                atLineStart = false
                expectingValue = false
                continue
            default: break
            }
            if atLineStart && nesting.isEmpty && byte == UInt8(ascii: "[") {
                var at = index + 1
                if at < bytes.count && bytes[at] == UInt8(ascii: "[") { at += 1 }
                while at < bytes.count && (bytes[at] == 0x20 || bytes[at] == 0x09) { at += 1 }
                let next = at < bytes.count ? bytes[at] : 0x0A
                if !(isBareKeyByte(next) || next == 0x22 || next == 0x27 || next == UInt8(ascii: "]")) {
                    return finding(
                        at,
                        "a table header needs a name after [, like [hub] or [[buttons]]")
                }
                inHeader = true
                atLineStart = false
                index = at
                continue
            }
            atLineStart = false
            if inHeader {
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "="):
                if nesting.last != .array { expectingValue = true }
            case UInt8(ascii: "["), UInt8(ascii: ","):
                if byte == UInt8(ascii: "[") {
                    guard expectingValue else { break }
                    nesting.append(.array)
                } else if nesting.last != .array {
                    expectingValue = false
                    break
                }
                expectingValue = true
                if nextSignificant(from: index + 1) == UInt8(ascii: "}") {
                    return finding(index, "a } where the list expects a value or ]")
                }
            case UInt8(ascii: "{"):
                if expectingValue { nesting.append(.inlineTable) }
                expectingValue = false
            case UInt8(ascii: "]"):
                if nesting.last == .array { nesting.removeLast() }
                expectingValue = false
            case UInt8(ascii: "}"):
                if nesting.last == .inlineTable { nesting.removeLast() }
                expectingValue = false
            default:
                guard expectingValue else { break }
                // A bare value (number, true/false, inf/nan, date or time) up to its end.
                var end = index
                while end < bytes.count, !isValueTerminator(bytes[end]) { end += 1 }
                if isDateOrTime(bytes[index..<end]) {
                    return finding(
                        index,
                        "is a date or time, and no setting here takes one; write text in quotes or a number")
                }
                expectingValue = false
                index = end
                continue
            }
            index += 1
        }
        return nil
    }

    /// `\u0000` or `\U00000000` at `at` (an unescaped backslash, as `endOfString` steps over escapes).
    private static func isNULEscape(_ bytes: [UInt8], _ at: Int) -> Bool {
        guard bytes[at] == UInt8(ascii: "\\"), at + 1 < bytes.count else { return false }
        let digits = bytes[at + 1] == UInt8(ascii: "u") ? 4 : bytes[at + 1] == UInt8(ascii: "U") ? 8 : 0
        guard digits > 0, at + 1 + digits < bytes.count else { return false }
        return bytes[(at + 2)...(at + 1 + digits)].allSatisfy { $0 == UInt8(ascii: "0") } && startsEscape(bytes, at)
    }

    /// Whether the backslash at `at` starts an escape (it is preceded by an even number of backslashes).
    private static func startsEscape(_ bytes: [UInt8], _ at: Int) -> Bool {
        var count = 0
        var before = at - 1
        while before >= 0 && bytes[before] == UInt8(ascii: "\\") {
            count += 1
            before -= 1
        }
        return count % 2 == 0
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private static func isValueTerminator(_ byte: UInt8) -> Bool {
        [0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: "#")]
            .contains(byte)
    }

    /// `1979-05-27…` or `07:32…`: what toml++ reads as a date, a time or a date-time.
    private static func isDateOrTime(_ token: ArraySlice<UInt8>) -> Bool {
        let digits = token.prefix { $0 >= 0x30 && $0 <= 0x39 }
        guard !digits.isEmpty else { return false }
        let after = token.dropFirst(digits.count).first
        return (digits.count == 4 && after == UInt8(ascii: "-")) || (digits.count == 2 && after == UInt8(ascii: ":"))
    }

    /// The index just past the string that starts at `start` (basic or literal, single- or multi-line); the end
    /// of the line (single-line) or of the text (multi-line) when it is not closed, which TOML then reports.
    private static func endOfString(_ bytes: [UInt8], from start: Int) -> Int {
        let quote = bytes[start]
        let triple = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
        var at = start + (triple ? 3 : 1)
        while at < bytes.count {
            let byte = bytes[at]
            if quote == 0x22 && byte == UInt8(ascii: "\\") {
                at += 2
                continue
            }
            if !triple && byte == 0x0A { return at }
            if byte == quote {
                if !triple { return at + 1 }
                if at + 2 < bytes.count && bytes[at + 1] == quote && bytes[at + 2] == quote {
                    // Up to two more quotes belong to the content (`""""a"""""`).
                    var end = at + 3
                    while end < bytes.count && end < at + 5 && bytes[end] == quote { end += 1 }
                    return end
                }
            }
            at += 1
        }
        return bytes.count
    }
}
