import Foundation

/// Rewrites text so that every character exists in a code page: typographic punctuation becomes its plain
/// equivalent, letters lose accents the code page lacks (`ŵ` → `w`), Cyrillic and Greek are written in Latin letters
/// (``Romanizer``: BGN/PCGN), and what has no Latin form (Arabic, Hebrew, CJK, emoji, …) is left out rather than
/// printed as `?`. Never mojibake, never a line of question marks.
public struct Transliterator: Sendable {
    public let codePage: CodePage

    public init(codePage: CodePage) {
        self.codePage = codePage
    }

    /// What of a text a printer can print.
    public struct Printable: Hashable, Sendable {
        /// The text to print, or nil when nothing worth printing is left (the line is not printed).
        public var text: String?
        /// The parts left out because the code page cannot print them, in order.
        public var omitted: [String]

        /// Whether the printed text lost something.
        public var isComplete: Bool { omitted.isEmpty }
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

    /// `text` with only characters the code page prints (empty when nothing is left); line breaks are kept, other
    /// control characters dropped.
    public func transliterate(_ text: String) -> String {
        printable(text).text ?? ""
    }

    /// `text` as the code page prints it, and what had to be left out. Characters with no Latin form are removed
    /// with the spaces and separators around them (`Food bank / بنك الطعام` → `Food bank`); a text that had letters
    /// and keeps none (or keeps nothing but punctuation) is not printed at all.
    public func printable(_ text: String) -> Printable {
        var kept = String.UnicodeScalarView()
        var omitted: [String] = []
        var run = ""
        var pendingSpace = String.UnicodeScalarView()
        var lettersDropped = false
        for character in Romanizer.romanize(text) {
            if character == " " || character == "\t" {
                if run.isEmpty { kept.append(" ") } else { pendingSpace.append(" ") }
                continue
            }
            var scalars = String.UnicodeScalarView()
            if render(character, to: &scalars) {
                if !run.isEmpty {
                    omitted.append(run)
                    run = ""
                    kept += pendingSpace
                }
                pendingSpace = .init()
                kept += scalars
            } else {
                if !run.isEmpty { run += String(pendingSpace) }
                pendingSpace = .init()
                run.append(character)
                if character.isLetter { lettersDropped = true }
            }
        }
        if !run.isEmpty { omitted.append(run) }
        var result = String(kept)
        if !omitted.isEmpty { result = Transliterator.tidy(result) }
        let hasContent = result.contains { $0.isLetter || $0.isNumber }
        let keepsLetters = result.contains { $0.isLetter }
        // Punctuation alone prints as written; what had letters and lost them all is not printed.
        if !hasContent || (lettersDropped && !keepsLetters) {
            return Printable(text: omitted.isEmpty ? result : nil, omitted: omitted)
        }
        return Printable(text: result, omitted: omitted)
    }

    /// What is left once parts were taken out: no empty brackets, no doubled spaces, no separator at either end.
    static func tidy(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var s = line.split(separator: " ").joined(separator: " ")
            for empty in ["()", "[]", "{}", "( )", "[ ]", "{ }", "\"\"", "''"] {
                s = s.replacingOccurrences(of: empty, with: "")
            }
            s = s.split(separator: " ").joined(separator: " ")
            let edges: Set<Character> = [" ", "-", "/", "|", ":", ";", ",", "*", "+", "&", "\u{00B7}"]
            while let first = s.first, edges.contains(first) { s.removeFirst() }
            while let last = s.last, edges.contains(last) { s.removeLast() }
            lines.append(s)
        }
        return lines.joined(separator: "\n")
    }

    /// Appends what prints `character`; false if the code page has nothing for it.
    private func render(_ character: Character, to out: inout String.UnicodeScalarView) -> Bool {
        var rendered = String.UnicodeScalarView()
        for scalar in character.unicodeScalars {
            guard append(scalar, to: &rendered) else { return false }
        }
        out += rendered
        return true
    }

    /// Appends what prints `scalar` (possibly nothing, for a mark or control); false if it has no printable form.
    private func append(_ scalar: Unicode.Scalar, to out: inout String.UnicodeScalarView) -> Bool {
        if scalar == "\n" {
            out.append(scalar)
            return true
        }
        if scalar == "\t" {
            out.append(" ")
            return true
        }
        if codePage.byte(for: scalar) != nil {
            out.append(scalar)
            return true
        }
        if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) { return true }
        if let replacement = Transliterator.replacements[scalar] {
            for s in replacement.unicodeScalars where codePage.byte(for: s) != nil { out.append(s) }
            return true
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark, .format:
            // Combining accents the code page cannot put on the letter, joiners, variation selectors.
            return true
        default:
            break
        }
        // A letter with an accent the code page lacks: keep the letter (canonical decomposition).
        let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars
        if decomposed.count > 1, let base = decomposed.first, codePage.byte(for: base) != nil {
            out.append(base)
            return true
        }
        return false
    }

    /// The bytes that print `text` (already transliterated, or transliterated here).
    public func encode(_ text: String) -> [UInt8] {
        transliterate(text).unicodeScalars.compactMap { codePage.byte(for: $0) ?? ($0 == "\n" ? 0x0A : nil) }
    }
}
