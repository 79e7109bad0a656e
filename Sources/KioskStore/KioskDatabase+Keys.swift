import Foundation
import GRDB

/// How ids are stored (from migration v4 on): a UUID as its 16 bytes instead of its 36-character text. Boot ids
/// are UUIDs too on Linux; one that is not (a test's "boot-a") is kept as text, so every id round-trips.
extension KioskDatabase {
    /// The stored form of `id`.
    public static func storedKey(_ id: UUID) -> DatabaseValue {
        withUnsafeBytes(of: id.uuid) { Data($0) }.databaseValue
    }

    /// The stored form of an id given as text: 16 bytes if it is a UUID, else the text itself.
    public static func storedKey(_ text: String) -> DatabaseValue {
        UUID(uuidString: text).map(storedKey) ?? text.databaseValue
    }

    /// A value as the current layout stores it: text that is a UUID becomes its 16 bytes; anything else is kept.
    static func storedKey(_ value: DatabaseValue) -> DatabaseValue {
        if case .string(let text) = value.storage { return storedKey(text) }
        return value
    }

    /// The text of a stored id (lowercase for a UUID), whichever layout stored it.
    static func keyText(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .blob(let data) where data.count == 16:
            let bytes = [UInt8](data)
            let uuid = UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                    bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                ))
            return uuid.uuidString.lowercased()
        case .string(let text): return text
        case .blob(let data): return data.map { String(format: "%02x", $0) }.joined()
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .null: return ""
        }
    }

    /// `hubkiosk_key(x)` in SQL: ``storedKey(_:)`` (the v4 migration converts old rows with it).
    static let storedKeyFunction = DatabaseFunction("hubkiosk_key", argumentCount: 1, pure: true) { values in
        storedKey(values[0])
    }
}
