import Foundation
import KioskCore

/// The syntax of the identifiers and short strings on the wire, shared by the kiosk (which builds them) and the
/// service (which checks them).
public enum WireSyntax {
    /// Whether `text` is a hub id: 1–64 characters of `a-z`, `0-9`, `-` and `_`, starting with a letter or digit.
    public static func isHubID(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 64,
            ("a"..."z").contains(first) || ("0"..."9").contains(first)
        else { return false }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }

    /// Whether `text` is a need code the kiosk could have produced (KioskCore's rule: `NeedCode.isValid`).
    public static func isNeedCode(_ text: String) -> Bool { NeedCode.isValid(text) }

    /// Whether `text` is a short label such as a version: 1–`maxLength` printable ASCII characters.
    public static func isShortText(_ text: String, maxLength: Int = 64) -> Bool {
        !text.isEmpty && text.unicodeScalars.count <= maxLength
            && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    /// Parses a strict ISO local date, `YYYY-MM-DD` and nothing more (no time, no offset).
    public static func localDate(_ text: String) -> LocalDate? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (48...57).contains($0.element) })
        else { return nil }
        return LocalDate(iso: text)
    }
}

extension KeyedDecodingContainer {
    /// Decodes a strict `YYYY-MM-DD` date.
    func decodeLocalDate(forKey key: Key) throws -> LocalDate {
        let text = try decode(String.self, forKey: key)
        guard let date = WireSyntax.localDate(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "\"\(HubReportJSON.cut(text, to: 40))\" is not a date (YYYY-MM-DD, nothing finer)")
        }
        return date
    }
}

extension KeyedDecodingContainer {
    /// Decodes a whole number, naming the field when it is out of range or a fraction. (Foundation's decoder reports
    /// a number that does not fit as invalid JSON, without the field; this names the field.)
    func decodeNumber<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        do {
            return try decode(type, forKey: key)
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error, context.codingPath.isEmpty else { throw error }
            throw Self.notANumber(T.self, key, in: self)
        } catch {
            throw Self.notANumber(T.self, key, in: self)
        }
    }

    static func notANumber<T: FixedWidthInteger>(_ type: T.Type, _ key: Key, in container: Self) -> DecodingError {
        DecodingError.dataCorruptedError(
            forKey: key, in: container, debugDescription: "is not a whole number from \(T.min) to \(T.max)")
    }

    /// Decodes a whole number if the key is present; see `decodeNumber`.
    func decodeNumberIfPresent<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) { return nil }
        return try decodeNumber(type, forKey: key)
    }

    /// Decodes an object of need codes to whole numbers, naming the need whose number is bad.
    func decodeNeedCounts(forKey key: Key) throws -> [NeedCode: Int] {
        let object = try nestedContainer(keyedBy: WireKey.self, forKey: key)
        var counts: [NeedCode: Int] = [:]
        for need in object.allKeys {
            counts[NeedCode(need.stringValue)] = try object.decodeNumber(Int.self, forKey: need)
        }
        return counts
    }
}

/// Any key of a JSON object.
struct WireKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
