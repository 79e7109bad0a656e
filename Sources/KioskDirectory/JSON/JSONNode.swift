/// A JSON value with the line and column it starts at, so that problems in a file can name where they are.
public struct JSONNode: Sendable {
    public enum Value: Sendable {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([JSONNode])
        case object([(key: String, value: JSONNode)])
    }

    public var value: Value
    public var line: Int
    public var column: Int

    public init(_ value: Value, line: Int, column: Int) {
        self.value = value
        self.line = line
        self.column = column
    }

    /// The member `key` of an object (the first, if a key repeats).
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var string: String? {
        if case .string(let text) = value { return text }
        return nil
    }

    /// The number's nearest `Double` (for display); use ``jsonNumber`` and its checked ``JSONNumber/integer`` to
    /// turn a number into an `Int`.
    public var number: Double? {
        if case .number(let number) = value { return number.double }
        return nil
    }

    /// The number as written, with its checked conversions.
    public var jsonNumber: JSONNumber? {
        if case .number(let number) = value { return number }
        return nil
    }

    /// The members of an object, in file order; nil when the value is not an object.
    public var members: [(key: String, value: JSONNode)]? {
        if case .object(let members) = value { return members }
        return nil
    }

    public var array: [JSONNode]? {
        if case .array(let items) = value { return items }
        return nil
    }

    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// `object`, `array`, `string`, `number`, `true/false` or `null`: for messages.
    public var kindName: String {
        switch value {
        case .null: return "null"
        case .bool: return "true/false"
        case .number: return "a number"
        case .string: return "text"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// A file that is not valid JSON, with where it stops being JSON.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}
