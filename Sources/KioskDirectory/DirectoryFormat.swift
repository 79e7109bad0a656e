/// The format of a directory file or feed; ``auto`` tells it from the file's shape.
public enum DirectoryFormat: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Tell the format from the file: ALISS's `data`, ORUK v1's `content`/`totalElements` or v1-only service
    /// fields, otherwise ORUK v3.
    case auto
    /// Open Referral UK v3 / HSDS 3: a list, one service, `{"services": …}` or the page with `contents`.
    case oruk3
    /// Open Referral UK v1: the page with `content`, services with `regular_schedules` and `service_taxonomys`.
    case oruk1
    /// ALISS (Scotland), API v4: `{"count", "next", "data"}` of services with `categories` and no opening times.
    case aliss

    /// `auto`, `oruk3`, `oruk1` or `aliss` (case and `-`/`_`/`v` ignored: `ORUK-v3`, `oruk_v1`); nil otherwise.
    public init?(name: String) {
        let key = name.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }
        switch key {
        case "auto": self = .auto
        case "oruk3", "orukv3", "hsds3", "hsdsv3", "hsds": self = .oruk3
        case "oruk1", "orukv1": self = .oruk1
        case "aliss", "alissv4": self = .aliss
        default: return nil
        }
    }

    /// The names ``init(name:)`` reads, for messages.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .oruk3: return "ORUK v3"
        case .oruk1: return "ORUK v1"
        case .aliss: return "ALISS"
        }
    }
}
