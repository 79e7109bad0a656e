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
            ("Na h-\u{00C0}ird", "Na h-Àird"), ("e\u{0301}", "e"), ("tea \u{2615}", "tea ?"), ("tab\there", "tab here"),
            ("\u{1F600}", "?"),
        ])
    func transliteration(input: String, expected: String) {
        let transliterator = Transliterator(codePage: .pc858)
        let output = transliterator.transliterate(input)
        #expect(output == expected)
        #expect(output.unicodeScalars.allSatisfy { CodePage.pc858.byte(for: $0) != nil })
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
