import Foundation

/// An error the service answers with, as `application/problem+json` (RFC 9457).
///
/// Besides RFC 9457's members it carries `what_to_do` (what a hub volunteer or the partnership's administrator can do
/// about it), `errors` (one entry per bad field, each named by a JSON Pointer) and, for a clock problem,
/// `service_time` (the service's clock, so a kiosk can learn its offset).
public struct ProblemDetails: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    /// The media type of a problem body.
    public static let mediaType = "application/problem+json"

    /// A URI naming the kind of problem (`urn:hubreport:problem:<slug>`).
    public var type: String
    /// A short summary of the kind of problem; the same for every occurrence of a kind.
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// What is wrong with this request.
    public var detail: String
    /// What a volunteer or administrator can do about it.
    public var whatToDo: String
    /// One entry per bad field, if the problem is about fields.
    public var errors: [FieldError]?
    /// The service's clock (RFC 3339, UTC, whole seconds), on a clock-skew problem.
    public var serviceTime: String?

    public init(
        _ kind: ProblemKind, detail: String, whatToDo: String? = nil, errors: [FieldError]? = nil,
        serviceTime: String? = nil
    ) {
        self.type = kind.typeURI
        self.title = kind.title
        self.status = kind.status
        self.detail = detail
        self.whatToDo = whatToDo ?? kind.whatToDo
        self.errors = errors
        self.serviceTime = serviceTime
    }

    /// `service_time` as a date: on a clock-skew problem the kiosk learns its offset from it.
    public var serviceDate: Date? {
        guard let serviceTime else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: serviceTime)
    }

    /// The kind this problem's `type` names, if it is one this API defines.
    public var kind: ProblemKind? { ProblemKind(typeURI: type) }

    public var description: String {
        var text = "\(title) (\(status)): \(detail)"
        for error in errors ?? [] { text += "\n  \(error.pointer): \(error.detail)" }
        return text + "\n  what to do: \(whatToDo)"
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail
        case whatToDo = "what_to_do"
        case errors
        case serviceTime = "service_time"
    }
}

/// One bad field of a request: where it is (a JSON Pointer, RFC 6901, in URI fragment form such as
/// `#/buckets/3/hour`) and what is wrong with it.
public struct FieldError: Codable, Sendable, Hashable, CustomStringConvertible {
    public var pointer: String
    public var detail: String

    public init(pointer: String, detail: String) {
        self.pointer = pointer
        self.detail = detail
    }

    /// A field error at `path` (keys and array indexes from the document's root).
    public init(path: [JSONPathComponent], detail: String) {
        self.init(pointer: JSONPathComponent.pointer(path), detail: detail)
    }

    public var description: String { "\(pointer): \(detail)" }
}

/// One step of a path into a JSON document.
public enum JSONPathComponent: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case key(String)
    case index(Int)

    public init(stringLiteral value: String) { self = .key(value) }
    public init(integerLiteral value: Int) { self = .index(value) }

    /// The JSON Pointer of `path` in URI fragment form (`#/buckets/3/hour`; `#` is the whole document).
    public static func pointer(_ path: [JSONPathComponent]) -> String {
        var text = "#"
        for component in path {
            switch component {
            case .index(let index):
                text += "/\(index)"
            case .key(let key):
                let escaped = key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                let allowed = CharacterSet.urlFragmentAllowed.subtracting(CharacterSet(charactersIn: "/"))
                text += "/" + (escaped.addingPercentEncoding(withAllowedCharacters: allowed) ?? escaped)
            }
        }
        return text
    }
}
