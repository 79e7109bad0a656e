import Foundation

/// The one JSON encoding of every wire type: keys as each type's `CodingKeys` name them (snake_case, fixed, never
/// converted: need codes are dictionary keys and must pass through unchanged), sorted, dates as ISO local dates.
public enum HubReportJSON {
    /// The media type of a request or response body.
    public static let mediaType = "application/json"

    /// A new encoder with the fixed settings.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .useDefaultKeys
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A new decoder with the fixed settings.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .useDefaultKeys
        return decoder
    }

    /// Encodes `value`.
    public static func encode(_ value: some Encodable) throws -> Data {
        try encoder().encode(value)
    }

    /// Decodes a body; anything that is not a `T` becomes a 400 `malformed-request` problem naming the field.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(ProblemDetails) -> T {
        do {
            return try decoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw problem(for: error)
        } catch {
            throw ProblemDetails(.malformedRequest, detail: "The body cannot be read as JSON.")
        }
    }

    /// Decodes a request body as the service receives it: 415 unless `contentType` is JSON, 413 if it is larger than
    /// `limits.maxBodyBytes`, 400 naming the field if it is not a `T`.
    public static func decodeRequest<T: Decodable>(
        _ type: T.Type, from body: Data, contentType: String?, limits: WireLimits = .standard
    ) throws(ProblemDetails) -> T {
        let mediaType = contentType?.split(separator: ";").first.map { HTTPField.trimmed(String($0)).lowercased() }
        guard mediaType == Self.mediaType else {
            throw ProblemDetails(
                .unsupportedMediaType,
                detail: "The body is \(contentType.map { "\"\(HubReportJSON.cut($0, to: 60))\"" } ?? "untyped"); "
                    + "the API takes \(Self.mediaType).")
        }
        guard body.count <= limits.maxBodyBytes else {
            throw ProblemDetails(
                .payloadTooLarge,
                detail: "The body has \(body.count) bytes; the service takes at most \(limits.maxBodyBytes).")
        }
        return try decode(type, from: body)
    }

    /// The problem for a decoding error: which field, and what is wrong with it.
    static func problem(for error: DecodingError) -> ProblemDetails {
        let (path, detail): ([any CodingKey], String)
        switch error {
        case .keyNotFound(let key, let context):
            (path, detail) = (context.codingPath + [key], "is missing")
        case .valueNotFound(_, let context):
            (path, detail) = (context.codingPath, "is null; a value is required")
        case .typeMismatch(let type, let context):
            (path, detail) = (context.codingPath, "has the wrong type: expected \(describe(type))")
        case .dataCorrupted(let context):
            (path, detail) = (context.codingPath, cut(context.debugDescription))
        @unknown default:
            (path, detail) = ([], "cannot be decoded")
        }
        if path.isEmpty, case .dataCorrupted = error {
            return ProblemDetails(.malformedRequest, detail: "The body is not valid JSON.")
        }
        let field = FieldError(
            path: path.map { key in key.intValue.map(JSONPathComponent.index) ?? .key(key.stringValue) },
            detail: detail)
        return ProblemDetails(.malformedRequest, detail: "\(field.pointer) \(detail).", errors: [field])
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is UInt64.Type, is Int64.Type: return "a whole number"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }

    /// Cuts a message that may quote hostile input to a readable length.
    static func cut(_ text: String, to limit: Int = 160) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
