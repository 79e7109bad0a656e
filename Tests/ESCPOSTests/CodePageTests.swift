import ESCPOS
import Testing

@Suite("Code page 858 and transliteration")
struct CodePageTests {
    @Test("Every PC858 character round-trips; £ and € are where printers expect them")
    func roundTrip() {
        let page = CodePage.pc858
        for byte in UInt8(0x20)...UInt8(0xFF) where byte != 0x7F {
            let scalar = page.scalar(for: byte)!
            #expect(page.byte(for: scalar) == byte)
        }
        #expect(page.byte(for: "£") == 0x9C)
        #expect(page.byte(for: "€") == 0xD5)
        #expect(page.byte(for: "é") == 0x82)
        #expect(CodePage.pc437.byte(for: "€") == nil)
    }

    @Test(
        "Characters the code page lacks are transliterated, never mojibake",
        arguments: [
            ("Mon\u{2013}Fri", "Mon-Fri"), ("\u{201C}quoted\u{201D}", "\"quoted\""), ("wait\u{2026}", "wait..."),
            ("Caf\u{00E9} \u{00A3}3 \u{20AC}2", "Café £3 €2"), ("D\u{0175}r", "Dwr"),
            ("\u{0141}\u{00F3}d\u{017A}", "Lódz"),
            ("Na h-\u{00C0}ird", "Na h-Àird"), ("e\u{0301}", "e"), ("tea \u{2615}", "tea"), ("tab\there", "tab here"),
            ("\u{1F600}", ""),
        ])
    func transliteration(input: String, expected: String) {
        let transliterator = Transliterator(codePage: .pc858)
        let output = transliterator.transliterate(input)
        #expect(output == expected)
        #expect(output.unicodeScalars.allSatisfy { CodePage.pc858.byte(for: $0) != nil })
    }
}

@Suite("Scripts the code page lacks: Cyrillic and Greek in Latin letters, the rest left out")
struct ScriptTests {
    static let russian = Array("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
    static let ukrainian = Array("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя")
    static let greek = Array("αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ")

    /// Whether `text` is Latin letters and the ASCII marks the systems use, all printable on `page`.
    static func isPrintableLatin(_ text: String, on page: CodePage) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            page.byte(for: scalar) != nil
                && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                    || "ëË'\" ".unicodeScalars.contains(scalar))
        }
    }

    @Test(
        "Every letter of the Russian, Ukrainian and Greek alphabets, in either case, alone and inside a word",
        arguments: [("ru", russian), ("uk", ukrainian), ("el", greek)])
    func everyLetter(language: String, letters: [Character]) {
        // Ukrainian is recognised by its own letters: give every word one (і), as Ukrainian text has.
        let marker = language == "uk" ? "і" : ""
        for letter in letters {
            for form in [String(letter), String(letter).uppercased()] {
                for page in [CodePage.pc858, .pc437] {
                    let transliterator = Transliterator(codePage: page)
                    for text in [form + marker, "о" + form + "а" + marker, "α" + form + "ο", form.uppercased() + "ОМ"] {
                        let printable = transliterator.printable(text)
                        let output = printable.text ?? ""
                        #expect(printable.isComplete, "\(language) \(text): \(printable.omitted)")
                        #expect(Self.isPrintableLatin(output, on: page), "\(language) \(text) -> \(output)")
                        #expect(!output.contains("?"))
                    }
                    // Soft and hard signs are marks (or nothing); every other letter becomes at least one letter.
                    if !"ьъЬЪ".contains(form) {
                        #expect(transliterator.transliterate(form + marker).count > marker.count, "\(form)")
                    }
                }
            }
        }
    }

    @Test(
        "Words come out as the BGN/PCGN (ELOT 743 for Greek) tables give them",
        arguments: [
            ("Москва", "Moskva"), ("Щука", "Shchuka"), ("Ёлка", "Yëlka"), ("Объявление", "Ob\"yavleniye"),
            ("Татьяна", "Tat'yana"), ("Евгений", "Yevgeniy"), ("ПОМОЩЬ", "POMOSHCH'"),
            ("Київ", "Kyiv"), ("Харків", "Kharkiv"), ("Україна", "Ukraina"), ("Юрій", "Yurii"), ("Розгін", "Rozghin"),
            ("Їжак і", "Yizhak i"), ("Мар'яна і", "Mariana i"),
            ("Αθήνα", "Athina"), ("Θεσσαλονίκη", "Thessaloniki"), ("ΘΕΣΣΑΛΟΝΙΚΗ", "THESSALONIKI"),
            ("Ευαγγελία", "Evangelia"), ("Αυτοκίνητο", "Aftokinito"), ("Αϋπνία", "Aypnia"), ("Ουρανός", "Ouranos"),
            ("Μπάμπης", "Mpampis"), ("ψυχή", "psychi"), ("Ξάνθη", "Xanthi"),
        ])
    func words(input: String, expected: String) {
        #expect(Transliterator(codePage: .pc858).transliterate(input) == expected)
    }

    static let unprintable = [
        "مركز المساعدة", "食物银行", "푸드뱅크", "\u{1F34E}\u{1F956}", "\u{1F1FA}\u{1F1E6}", "עזרה",
        "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "ช่วยเหลือ", "सहायता",
    ]
    static let latin = ["Food bank", "Tel 0141 555 0100", "Caf\u{00E9} Mondays", "Open 24/7"]

    @Test("Arabic, CJK, Hebrew, Thai, Devanagari and emoji text is not printed at all, never as ?")
    func dropped() {
        let transliterator = Transliterator(codePage: .pc858)
        for text in Self.unprintable {
            let printable = transliterator.printable(text)
            #expect(printable.text == nil, "\(text) -> \(printable.text ?? "nil")")
            #expect(printable.omitted == [text])
            // A line that had letters and keeps only digits or punctuation is not printed either.
            if text.contains(where: \.isLetter) { #expect(transliterator.printable(text + " 24/7").text == nil) }
            #expect(transliterator.printable("(\(text))").text == nil)
        }
    }

    @Test("Mixed lines keep their printable part, without the separators and brackets around what was left out")
    func mixed() {
        let transliterator = Transliterator(codePage: .pc858)
        for text in Self.unprintable {
            for kept in Self.latin {
                for mixed in [
                    "\(kept) \(text)", "\(text) \(kept)", "\(kept) / \(text)", "\(text): \(kept)", "\(kept) (\(text))",
                    "\(kept) - \(text) -", "\(kept)\(text)",
                ] {
                    let printable = transliterator.printable(mixed)
                    #expect(printable.text == kept, "\(mixed) -> \(printable.text ?? "nil")")
                    #expect(printable.omitted == [text], "\(mixed)")
                }
            }
        }
        #expect(
            transliterator.printable("Help for families \u{1F1FA}\u{1F1E6} and more").text
                == "Help for families and more")
        #expect(transliterator.printable("Москва \u{1F600}").text == "Moskva")
        #expect(transliterator.printable("Food bank").isComplete)
        #expect(transliterator.printable("----").text == "----")
    }
}

@Suite("Word wrapping")
struct WrapTests {
    @Test("Lines never exceed the width; words stay whole unless longer than a line")
    func wrapping() {
        let text = "Free, confidential advice on benefits, debt, bills and work at Citizens Advice Inverallan."
        for width in [16, 24, 32, 42, 48] {
            let lines = TextWrapper.wrap(text, width: width)
            #expect(lines.allSatisfy { $0.count <= width })
            #expect(lines.joined(separator: " ") == text)
        }
        #expect(TextWrapper.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(TextWrapper.wrap("a\nb", width: 10) == ["a", "b"])
        #expect(TextWrapper.wrap("", width: 10) == [""])
    }
}
