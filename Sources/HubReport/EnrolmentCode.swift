import Crypto
import Foundation

/// One-time enrolment codes: what `hubreport hub add` prints and a kiosk sends to `POST /v1/enrol`.
///
/// A code is 20 characters of Crockford's base32 alphabet (no I, L, O or U) (100 random bits) in groups of four, such as
/// `K7QM-2XRD-9VHT-W4NC-PJ6B`. The service stores only the SHA-256 of its normalised form (upper case, no dashes), so
/// a reader of the database cannot enrol; typing it in lower case or without dashes works too.
public enum EnrolmentCode {
    /// How long a code is valid.
    public static let lifetime: Int64 = 24 * 60 * 60

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new random code.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return stride(from: 0, to: 20, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// The SHA-256 the service stores for `code`.
    public static func hash(_ code: String) -> Data {
        let normalised = code.uppercased().filter { $0 != "-" }
        return Data(SHA256.hash(data: Data(normalised.utf8)))
    }
}
