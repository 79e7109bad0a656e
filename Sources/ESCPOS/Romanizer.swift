import Foundation

/// Cyrillic and Greek written in Latin letters, for code pages that have neither, by the systems the UK's
/// Permanent Committee on Geographical Names uses with the US BGN:
///
/// - Russian: BGN/PCGN 1947 (`е`/`ё` are `ye`/`yë` at the start of a word and after a vowel, `й`, `ъ` or `ь`;
///   `ъ` is `"` and `ь` is `'`, BGN/PCGN's ʺ and ʹ in ASCII; the optional `·` is left out).
/// - Ukrainian: BGN/PCGN 2019, which is Ukraine's national system of 2010 (`г` `h`, `и` `y`, `і` `i`; `є` `ї` `й`
///   `ю` `я` are `ye` `yi` `y` `yu` `ya` at the start of a word, `ie` `i` `i` `iu` `ia` elsewhere; `зг` is `zgh`;
///   `ь` and the apostrophe are left out).
/// - Greek: BGN/PCGN 1996, which is ELOT 743:1987 (ISO 843 transcription): `αυ` `ευ` `ηυ` are `av` `ev` `iv`
///   before vowels and voiced consonants, `af` `ef` `if` otherwise; `ου` `ou`; `γγ` `ng`, `γξ` `nx`, `γχ` `nch`,
///   `γκ` `gk`; accents dropped, a diaeresis keeps two vowels apart.
///
/// A text is taken as Ukrainian when it has a letter only Ukrainian uses (`є`, `і`, `ї`, `ґ`), as Russian
/// otherwise. Other Cyrillic letters (Belarusian, Serbian, Macedonian, Kazakh) get their usual Latin letters.
enum Romanizer {
    static func romanize(_ text: String) -> String {
        let chars = Array(text)
        guard chars.contains(where: { isCyrillic($0) || isGreek($0) }) else { return text }
        let ukrainian = chars.contains { "іїєґІЇЄҐ".contains($0) }
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if ukrainian, "'’ʼ".contains(c), i > 0, i + 1 < chars.count, isCyrillic(chars[i - 1]),
                isCyrillic(chars[i + 1])
            {
                i += 1  // the Ukrainian apostrophe is not written
                continue
            }
            let mapped: (String, Int)?
            if isCyrillic(c) {
                mapped = cyrillic(chars, i, ukrainian: ukrainian).map { ($0, 1) }
            } else if isGreek(c) {
                mapped = greek(chars, i)
            } else {
                mapped = nil
            }
            guard let (latin, consumed) = mapped else {
                out.append(c)
                i += 1
                continue
            }
            out += cased(latin, chars, i, consumed)
            i += consumed
        }
        return out
    }

    static func isCyrillic(_ c: Character) -> Bool {
        guard c.isLetter, let v = c.unicodeScalars.first?.value else { return false }
        return (0x0400...0x052F).contains(v)
    }

    static func isGreek(_ c: Character) -> Bool {
        guard c.isLetter, let v = c.unicodeScalars.first?.value else { return false }
        return (0x0370...0x03FF).contains(v) || (0x1F00...0x1FFF).contains(v)
    }

    /// `latin` (lower case) in the case of the letters it stands for: all capitals inside a word in capitals.
    private static func cased(_ latin: String, _ chars: [Character], _ i: Int, _ consumed: Int) -> String {
        guard chars[i].isUppercase else { return latin }
        let inCapitals =
            (consumed > 1 && chars[i + 1].isUppercase)
            || (i + consumed < chars.count && chars[i + consumed].isLetter && chars[i + consumed].isUppercase)
            || (i > 0 && chars[i - 1].isLetter && chars[i - 1].isUppercase)
        if inCapitals { return latin.uppercased() }
        return latin.prefix(1).uppercased() + latin.dropFirst()
    }

    private static let russianVowelsAndSigns: Set<Character> = [
        "а", "е", "ё", "и", "о", "у", "ы", "э", "ю", "я", "й", "ъ", "ь",
    ]

    private static let cyrillicLetters: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
        "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
        "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "\"", "ы": "y", "ь": "'",
        "э": "e", "ю": "yu", "я": "ya", "ё": "\u{00EB}",
        // Not Russian: Ukrainian where it agrees, then Belarusian, Serbian, Macedonian, Kazakh.
        "ґ": "g", "є": "ye", "і": "i", "ї": "yi", "ў": "w", "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c",
        "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u",
        "ү": "u", "һ": "h",
    ]

    private static func cyrillic(_ chars: [Character], _ i: Int, ukrainian: Bool) -> String? {
        guard let c = chars[i].lowercased().first else { return nil }
        // The letter before, looking through an apostrophe inside the word (Ukrainian `м'я`: `mia`).
        var before = i - 1
        if before > 0, "'’ʼ".contains(chars[before]), chars[before - 1].isLetter { before -= 1 }
        let previous: Character? = before >= 0 ? chars[before].lowercased().first : nil
        let wordStart = previous.map { !$0.isLetter } ?? true
        if ukrainian {
            switch c {
            case "г": return previous == "з" ? "gh" : "h"
            case "и": return "y"
            case "є": return wordStart ? "ye" : "ie"
            case "ї": return wordStart ? "yi" : "i"
            case "й": return wordStart ? "y" : "i"
            case "ю": return wordStart ? "yu" : "iu"
            case "я": return wordStart ? "ya" : "ia"
            case "ь": return ""
            default: break
            }
        } else {
            let soft = wordStart || previous.map { russianVowelsAndSigns.contains($0) } ?? false
            if c == "е" { return soft ? "ye" : "e" }
            if c == "ё" { return soft ? "y\u{00EB}" : "\u{00EB}" }
        }
        return cyrillicLetters[c]
    }

    private static let greekLetters: [Unicode.Scalar: String] = [
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
        "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
        "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
    ]
    private static let voicing: Set<Unicode.Scalar> = [
        "α", "ε", "η", "ι", "ο", "υ", "ω", "β", "γ", "δ", "ζ", "λ", "μ", "ν", "ρ",
    ]

    /// The Greek letter at `i` without accents (lower case), and whether it has a diaeresis.
    private static func greekBase(_ chars: [Character], _ i: Int) -> (Unicode.Scalar, Bool)? {
        guard i < chars.count, isGreek(chars[i]) else { return nil }
        let decomposed = chars[i].lowercased().decomposedStringWithCanonicalMapping.unicodeScalars
        guard let base = decomposed.first else { return nil }
        return (base, decomposed.contains("\u{0308}"))
    }

    private static func greek(_ chars: [Character], _ i: Int) -> (String, Int)? {
        guard let (base, _) = greekBase(chars, i), let single = greekLetters[base] else { return nil }
        if let (next, nextDiaeresis) = greekBase(chars, i + 1), !nextDiaeresis {
            if next == "υ", ["α", "ε", "η"].contains(base) {
                let after = greekBase(chars, i + 2)?.0
                return (single + (after.map { voicing.contains($0) } ?? false ? "v" : "f"), 2)
            }
            if next == "υ", base == "ο" { return ("ou", 2) }
            if base == "γ" {
                switch next {
                case "γ": return ("ng", 2)
                case "ξ": return ("nx", 2)
                case "χ": return ("nch", 2)
                case "κ": return ("gk", 2)
                default: break
                }
            }
        }
        return (single, 1)
    }
}
