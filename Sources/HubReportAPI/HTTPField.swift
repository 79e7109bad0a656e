/// One header field of a request, as the server received it or as the signer adds it.
public struct HTTPField: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name): \(value)" }
}

extension Array where Element == HTTPField {
    /// The value of the field `name` (case-insensitive), several lines joined by `, ` as RFC 9110 §5.3 combines
    /// them; nil if absent.
    public func combinedValue(of name: String) -> String? {
        let lowered = name.lowercased()
        let values = filter { $0.name.lowercased() == lowered }.map { HTTPField.trimmed($0.value) }
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }
}

extension HTTPField {
    /// `value` without leading and trailing spaces and tabs (RFC 9421 §2.1).
    static func trimmed(_ value: String) -> String {
        let scalars = value.unicodeScalars
        let isBlank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = scalars.firstIndex(where: { !isBlank($0) }),
            let last = scalars.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
