import Foundation

/// Rewrites text so that every character exists in a code page: typographic punctuation becomes its plain
/// equivalent, letters lose accents the code page lacks (`ŵ` → `w`), and anything else becomes `?`. Never mojibake.
public struct Transliterator: Sendable {
    public let codePage: CodePage

    public init(codePage: CodePage) {
        self.codePage = codePage
    }

    static let replacements: [Unicode.Scalar: String] = [
        "\u{2010}": "-", "\u{2011}": "-", "\u{2012}": "-", "\u{2013}": "-", "\u{2014}": "-", "\u{2015}": "-",
        "\u{2212}": "-", "\u{2018}": "'", "\u{2019}": "'", "\u{201A}": "'", "\u{201B}": "'", "\u{2032}": "'",
        "\u{201C}": "\"", "\u{201D}": "\"", "\u{201E}": "\"", "\u{201F}": "\"", "\u{2033}": "\"",
        "\u{2026}": "...", "\u{2022}": "*", "\u{2023}": ">", "\u{2043}": "-", "\u{2192}": "->", "\u{2190}": "<-",
        "\u{2009}": " ", "\u{200A}": " ", "\u{2002}": " ", "\u{2003}": " ", "\u{202F}": " ", "\u{2007}": " ",
        "\u{0141}": "L", "\u{0142}": "l", "\u{0110}": "D", "\u{0111}": "d", "\u{0152}": "OE", "\u{0153}": "oe",
        "\u{0131}": "i", "\u{017F}": "s", "\u{0126}": "H", "\u{0127}": "h", "\u{2122}": "TM", "\u{2116}": "No.",
        "\u{2153}": "1/3", "\u{2154}": "2/3", "\u{20A4}": "\u{00A3}", "\u{2713}": "v",
        "\u{2714}": "v", "\u{2715}": "x", "\u{2717}": "x",
    ]

    /// `text` with only characters the code page prints; line breaks are kept, other control characters dropped.
    public func transliterate(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for character in text {
            for scalar in character.unicodeScalars {
                append(scalar, to: &out)
            }
        }
        return String(out)
    }

    private func append(_ scalar: Unicode.Scalar, to out: inout String.UnicodeScalarView) {
        if scalar == "\n" {
            out.append(scalar)
            return
        }
        if scalar == "\t" {
            out.append(" ")
            return
        }
        if codePage.byte(for: scalar) != nil {
            out.append(scalar)
            return
        }
        if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) { return }
        if let replacement = Transliterator.replacements[scalar] {
            for s in replacement.unicodeScalars where codePage.byte(for: s) != nil { out.append(s) }
            return
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark, .format:
            // Combining accents the code page cannot put on the letter, joiners, variation selectors.
            return
        default:
            break
        }
        // A letter with an accent the code page lacks: keep the letter (canonical decomposition).
        let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars
        if decomposed.count > 1, let base = decomposed.first, codePage.byte(for: base) != nil {
            out.append(base)
            return
        }
        out.append("?")
    }

    /// The bytes that print `text` (already transliterated, or transliterated here).
    public func encode(_ text: String) -> [UInt8] {
        transliterate(text).unicodeScalars.compactMap { codePage.byte(for: $0) ?? ($0 == "\n" ? 0x0A : nil) }
    }
}
