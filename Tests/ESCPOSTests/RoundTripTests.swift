import ESCPOS
import Foundation
import KioskCore
import KioskDirectory
import Testing

@Suite("Encode → decode round trips")
struct RoundTripTests {
    static func exampleDirectory() throws -> ServiceDirectory {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Simulator/directory.json")
        return DirectoryDecoder().decode(Array(try Data(contentsOf: url))).directory
    }

    @Test("Every profile and every need: text, QR codes and the cut survive", arguments: PrinterProfile.all)
    func everyProfile(profile: PrinterProfile) throws {
        let composer = SlipComposer(
            hubName: "Brae Street Hub", directory: try Self.exampleDirectory(), layout: .standard(),
            timeZone: .london)
        let moment = HubTimeZone.london.instant(
            of: LocalDate(year: 2026, month: 12, day: 3)!, at: LocalTime(hour: 11, minute: 0)!)
        let transliterator = Transliterator(codePage: profile.codePage)
        for need in Need.defaults {
            let slip = composer.compose(needs: [need.code], at: moment)
            let bytes = ESCPOSEncoder(profile: profile).encode(slip)
            let receipt = ESCPOSDecoder().decode(bytes)
            #expect(receipt.unknown.isEmpty, "\(receipt.unknown)")
            #expect(receipt.unterminatedText.isEmpty)
            // Every text block comes back as its wrapped, transliterated lines, in order.
            var expected: [String] = []
            for block in slip.blocks {
                switch block {
                case .text(let text, let style):
                    let width = style.size == .double ? profile.columns / 2 : profile.columns
                    expected += TextWrapper.wrap(transliterator.transliterate(text), width: width)
                case .rule:
                    expected.append(String(repeating: "-", count: profile.columns))
                case .qrCode, .feed:
                    break
                }
            }
            #expect(receipt.lines == expected)
            for case .line(let text, let style) in receipt.elements {
                #expect(text.count * style.widthMultiplier <= profile.columns)
            }
            let urls = slip.blocks.compactMap { block -> String? in
                if case .qrCode(let url) = block { return url }
                return nil
            }
            if profile.qr == .native {
                #expect(receipt.qrPayloads == urls)
            } else {
                #expect(receipt.qrPayloads.isEmpty)
            }
            #expect(receipt.cutCount == (profile.cutter == .none ? 0 : 1))
        }
    }

    @Test("Unknown bytes are reported with their offset, not guessed")
    func unknownBytes() {
        let bytes: [UInt8] = [0x1B, 0x40, 0x41, 0x0A, 0x1B, 0x99, 0x42, 0x0A, 0x07, 0x1D, 0x28, 0x6B]
        let receipt = ESCPOSDecoder().decode(bytes)
        #expect(receipt.lines == ["A", "B"])
        #expect(receipt.unknown.map(\.offset) == [4, 8, 9])
        #expect(receipt.unknown[0].reason.contains("ESC"))
    }

    @Test("Bytes without a final line feed are flagged as not printed yet")
    func unterminated() {
        let receipt = ESCPOSDecoder().decode(Array("hello".utf8))
        #expect(receipt.lines.isEmpty)
        #expect(receipt.unterminatedText == "hello")
        #expect(receipt.rendered(columns: 32).contains("not printed"))
    }
}

extension PrinterProfile: CustomTestStringConvertible {
    public var testDescription: String { id }
}
