/// A strict RFC 8259 JSON parser that records the line and column of every value.
public struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    /// The deepest nesting of lists and objects a file may have (a directory needs about eight).
    public static let maximumDepth = 256

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        // A UTF-8 byte order mark is tolerated.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.error("unexpected \(parser.describeCurrent()) after the end of the document")
        }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var column: Int { index - lineStart + 1 }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: column, message: message)
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D:
                index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    /// An array or object whose members are still being read.
    private struct OpenContainer {
        var line: Int
        var column: Int
        var items: [JSONNode] = []
        var members: [(key: String, value: JSONNode)] = []
        /// The member name whose value comes next; nil for an array.
        var key: String?
        var isObject: Bool { key != nil }
    }

    /// Reads one value. Containers are kept on a heap-allocated stack rather than by recursion, so no file, however
    /// deeply nested, can overflow the thread's stack; nesting deeper than ``maximumDepth`` is refused (a parsed
    /// tree that deep would also be freed recursively).
    private mutating func parseValue() throws(JSONSyntaxError) -> JSONNode {
        var open: [OpenContainer] = []
        readValue: while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of file, expected a value") }
            let startLine = line
            let startColumn = column
            var value: JSONNode
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[index] == UInt8(ascii: "{")
                guard open.count < JSONParser.maximumDepth else {
                    throw error("nested more than \(JSONParser.maximumDepth) levels deep")
                }
                index += 1
                skipWhitespace()
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if index < bytes.count && bytes[index] == close {
                    index += 1
                    value = JSONNode(isObject ? .object([]) : .array([]), line: startLine, column: startColumn)
                } else {
                    var container = OpenContainer(line: startLine, column: startColumn)
                    if isObject { container.key = try parseMemberName() }
                    open.append(container)
                    continue readValue
                }
            case UInt8(ascii: "\""):
                value = JSONNode(.string(try parseString()), line: startLine, column: startColumn)
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = JSONNode(.bool(true), line: startLine, column: startColumn)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = JSONNode(.bool(false), line: startLine, column: startColumn)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = JSONNode(.null, line: startLine, column: startColumn)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = JSONNode(.number(try parseNumber()), line: startLine, column: startColumn)
            default:
                throw error("unexpected \(describeCurrent()), expected a value")
            }
            // Hand the finished value to the containers it closes.
            while var container = open.popLast() {
                skipWhitespace()
                let close = container.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if let key = container.key {
                    container.members.append((key, value))
                } else {
                    container.items.append(value)
                }
                guard index < bytes.count else {
                    throw error("unexpected end of file, expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    if container.isObject { container.key = try parseMemberName() }
                    open.append(container)
                    continue readValue
                }
                guard bytes[index] == close else {
                    throw error(
                        "unexpected \(describeCurrent()), expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
                index += 1
                value = JSONNode(
                    container.isObject ? .object(container.members) : .array(container.items), line: container.line,
                    column: container.column)
            }
            return value
        }
    }

    /// Reads `"name":` in an object, leaving the index at the member's value.
    private mutating func parseMemberName() throws(JSONSyntaxError) -> String {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw error("unexpected \(describeCurrent()), expected a quoted member name")
        }
        let key = try parseString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            throw error("unexpected \(describeCurrent()), expected ':' after \"\(key)\"")
        }
        index += 1
        return key
    }

    private mutating func expectLiteral(_ literal: String) throws(JSONSyntaxError) {
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else {
                throw error("unexpected \(describeCurrent()), expected '\(literal)'")
            }
            index += 1
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        var buffer: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("unexpected end of file inside text") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    throw error("text is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end of file inside text") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw error("a \\u escape starts a surrogate pair that does not end") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("a \\u escape is a lone low surrogate")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    index -= 1
                    throw error("unknown escape '\\\(Character(Unicode.Scalar(escape)))' in text")
                }
            case 0x00..<0x20:
                if byte == 0x0A { throw error("text runs past the end of the line (a closing quote is missing?)") }
                throw error("control character 0x\(String(byte, radix: 16)) inside text must be escaped")
            default:
                buffer.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of file in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("\(describeCurrent()) is not a hex digit in a \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = index
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { throw error("a number needs a digit after '-'") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw error("numbers may not have leading zeros") }
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw error("a number needs a digit after '.'") }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard isDigit(index) else { throw error("a number needs a digit in its exponent") }
            while isDigit(index) { index += 1 }
        }
        return JSONNumber(text: String(decoding: bytes[start..<index], as: UTF8.self))
    }
}
