import Dispatch
import Foundation
import HummingbirdBcrypt

/// Password rules and hashing (bcrypt, cost 12 or more) for every site's users.
public enum Passwords {
    /// The bcrypt cost of new hashes.
    public static let cost: UInt8 = 12
    /// bcrypt reads at most 72 bytes: a longer password is refused rather than silently cut.
    public static let maximumBytes = 72
    public static let minimumLength = 10

    /// A few of the passwords tried first by anyone guessing; refused whatever their length.
    static let common: Set<String> = [
        "password", "password1", "password12", "password123", "passw0rd", "qwerty", "qwertyuiop", "1234567890",
        "12345678", "123456789", "0987654321", "letmein", "welcome", "welcome1", "welcome123", "iloveyou",
        "admin", "administrator", "changeme", "changeme123", "trustno1", "football", "baseball", "monkey",
        "dragon", "sunshine", "princess", "abc123", "abcdefghij", "aaaaaaaaaa", "1111111111", "qwerty123",
        "hubkiosk", "hubkiosk1", "hubreport", "kiosk", "kiosk12345", "community", "volunteer", "volunteer1",
    ]

    /// What is wrong with `password` for `user`, said so that a person can fix it; nil when it is acceptable.
    public static func problem(with password: String, user: String) -> String? {
        if password.count < minimumLength {
            return
                "Choose a password of at least \(minimumLength) characters (a few words together is easy to remember)."
        }
        if password.utf8.count > maximumBytes {
            return "Choose a password of at most \(maximumBytes) bytes (about \(maximumBytes) letters)."
        }
        let lowered = password.lowercased()
        if common.contains(lowered) || Set(lowered).count <= 2 {
            return "That password is one of the first anyone would guess; choose another."
        }
        if lowered == user.lowercased() || lowered.contains(user.lowercased()) && user.count >= 4 {
            return "The password must not contain the user name; choose another."
        }
        return nil
    }

    /// The bcrypt hash of `password`, computed on a thread of its own (it takes a noticeable fraction of a second:
    /// never on the tasks' shared threads).
    public static func hash(_ password: String, cost: UInt8 = Passwords.cost) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: Bcrypt.hash(password, cost: cost))
            }
        }
    }

    /// Whether `password` matches `hash`; with no hash (an unknown user) it still takes as long, and fails.
    public static func verify(_ password: String, hash: String?) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                guard password.utf8.count <= maximumBytes else {
                    continuation.resume(returning: false)
                    return
                }
                let matches = Bcrypt.verify(password, hash: hash ?? dummyHash)
                continuation.resume(returning: hash != nil && matches)
            }
        }
    }

    /// A hash of a random password, checked against when the user is unknown (so that timing says nothing).
    static let dummyHash = Bcrypt.hash(SessionStore.randomToken(bytes: 12), cost: Passwords.cost)
}
