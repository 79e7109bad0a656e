/// The signature base of RFC 9421 §2.5: one line per covered component, `"name": value`, then the
/// `"@signature-params"` line, joined by LF with no final LF.
public enum SignatureBase {
    /// The base for `input`, with each component's value from `value(of:)` (nil: the message has no such
    /// component, which is an error).
    public static func build(
        _ input: SignatureInput, value: (String) -> String?
    ) throws(SignatureBaseError) -> String {
        var lines: [String] = []
        for component in input.components {
            guard component != "@signature-params" else { throw .reservedComponent }
            guard let text = value(component) else { throw .missingComponent(component) }
            guard text.unicodeScalars.allSatisfy({ $0 == "\t" || (0x20..<0x7F).contains($0.value) || $0.value > 0x7F })
            else { throw .invalidValue(component) }
            lines.append("\"\(component)\": \(text)")
        }
        let parameters: String
        do {
            parameters = try input.serialized()
        } catch {
            throw .unserializable
        }
        lines.append("\"@signature-params\": \(parameters)")
        return lines.joined(separator: "\n")
    }
}

/// Why a signature base cannot be built.
public enum SignatureBaseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message has no such component (a header absent, a derived component not known).
    case missingComponent(String)
    /// A component's value holds a control character (a line break would forge a line of the base).
    case invalidValue(String)
    /// `@signature-params` may not be covered.
    case reservedComponent
    /// A component or parameter cannot be a structured field (a non-ASCII string, a bad key).
    case unserializable

    public var description: String {
        switch self {
        case .missingComponent(let name): return "the request has no \(name)"
        case .invalidValue(let name): return "the value of \(name) holds a control character"
        case .reservedComponent: return "@signature-params may not be a covered component"
        case .unserializable: return "a covered component or parameter is not a valid structured field"
        }
    }
}

/// The components of a request that a signature can cover: the derived components `@method`, `@path`, `@query`,
/// `@authority`, `@request-target` (RFC 9421 §2.2) and header fields by lower-case name (§2.1).
public struct RequestComponents: Sendable {
    public var method: String
    /// The request target in origin form: the path with its query, such as `/v1/tallies?dry-run`.
    public var target: String
    public var headers: [HTTPField]

    public init(method: String, target: String, headers: [HTTPField]) {
        self.method = method
        self.target = target
        self.headers = headers
    }

    /// The path without the query; `/` if empty.
    public var path: String {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return path.isEmpty ? "/" : String(path)
    }

    /// The query without `?`, or nil if the target has none.
    public var query: String? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        return String(target[target.index(after: mark)...])
    }

    /// The value of `component` for the signature base, or nil if the request has none.
    public func value(of component: String) -> String? {
        switch component {
        case "@method": return method
        case "@path": return path
        case "@query": return "?" + (query ?? "")
        case "@request-target": return target
        case "@authority": return headers.combinedValue(of: "host")?.lowercased()
        default:
            guard !component.hasPrefix("@"), component == component.lowercased() else { return nil }
            return headers.combinedValue(of: component)
        }
    }
}
