import Foundation
import Synchronization

/// One-time setup codes: printed on the kiosk's printer or shown on hubreport's console, each good for one use
/// within `lifetime` (30 minutes). Issuing a code replaces the one before.
public final class SetupCodes: Sendable {
    public struct Code: Sendable, Hashable {
        /// "ABCD-EFGH-JKLM": letters and digits that cannot be mistaken for one another.
        public let text: String
        /// Who the code sets a password for (nil: the first user, named on the setup page).
        public let user: String?
        public let role: String
        public let expires: Date

        /// A code from another source (hubreport's database).
        public init(text: String, user: String?, role: String, expires: Date) {
            self.text = text
            self.user = user
            self.role = role
            self.expires = expires
        }
    }

    public let lifetime: TimeInterval
    private let current = Mutex<Code?>(nil)

    public init(lifetime: TimeInterval = 30 * 60) {
        self.lifetime = lifetime
    }

    static let alphabet = Array("ACDEFGHJKLMNPQRTUVWXY3479")

    /// A new code (about 55 bits), replacing any earlier one.
    public func issue(user: String? = nil, role: String, now: Date = Date()) -> Code {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        for index in 0..<12 {
            if index > 0 && index % 4 == 0 { text.append("-") }
            text.append(Self.alphabet.randomElement(using: &generator)!)
        }
        let code = Code(text: text, user: user, role: role, expires: now.addingTimeInterval(lifetime))
        current.withLock { $0 = code }
        return code
    }

    /// The code still open, if any.
    public func pending(now: Date = Date()) -> Code? {
        current.withLock { code in
            if let live = code, live.expires <= now { code = nil }
            return code
        }
    }

    /// Uses the code if `text` is it and it has not expired: it is gone afterwards, whatever happens next.
    public func use(_ text: String, now: Date = Date()) -> Code? {
        let typed = Self.normalize(text)
        return current.withLock { code in
            guard let live = code else { return nil }
            if live.expires <= now {
                code = nil
                return nil
            }
            guard constantTimeEqual(Self.normalize(live.text), typed) else { return nil }
            code = nil
            return live
        }
    }

    /// Upper case, without spaces or dashes (typed from paper: "abcd efgh jkl m" is the same code).
    static func normalize(_ text: String) -> String {
        String(text.uppercased().filter { $0.isLetter || $0.isNumber }.prefix(64))
    }
}
