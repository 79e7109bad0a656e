/// Text as feeds write it, made fit for a slip: HTML tags and entities from a web form, and mojibake (UTF-8 read
/// as Windows-1252 and saved again: `Caf\u{C3}\u{A9}` for `Café`, `\u{E2}\u{20AC}\u{2122}` for `’`).
enum FeedText {
    enum Repair: Hashable, Sendable {
        case html
        case mojibake
    }

    /// The cleaned text, and what was repaired (empty when the text was already clean).
    static func clean(_ text: String) -> (text: String, repairs: [Repair]) {
        var result = text
        var repairs: [Repair] = []
        if let repaired = repairMojibake(result) {
            result = repaired
            repairs.append(.mojibake)
        }
        if let stripped = stripHTML(result) {
            result = stripped
            repairs.append(.html)
        }
        return (result, repairs)
    }

    /// Windows-1252's characters for the bytes 0x80–0x9F (the rest of 0x00–0xFF is Latin-1).
    static let windows1252: [Unicode.Scalar: UInt8] = {
        let high: [UInt32] = [
            0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
            0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
            0x0153, 0, 0x017E, 0x0178,
        ]
        var table: [Unicode.Scalar: UInt8] = [:]
        for (offset, value) in high.enumerated() where value != 0 {
            if let scalar = Unicode.Scalar(value) { table[scalar] = UInt8(0x80 + offset) }
        }
        return table
    }()

    /// The text its bytes meant, when it reads as UTF-8 once turned back into Windows-1252 bytes and holds a
    /// sequence mojibake makes (`Ã` or `Â` or `â` followed by a character from 0x80–0xBF); nil otherwise.
    static func repairMojibake(_ text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        let leads: Set<UInt32> = [0xC2, 0xC3, 0xE2, 0xC5]
        let looksBroken = zip(scalars, scalars.dropFirst()).contains { lead, next in
            guard leads.contains(lead.value) else { return false }
            if let byte = windows1252[next] { return (0x80...0xBF).contains(byte) }
            return (0x80...0xBF).contains(next.value)
        }
        guard looksBroken else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        for scalar in scalars {
            if let byte = windows1252[scalar] {
                bytes.append(byte)
            } else if scalar.value <= 0xFF {
                bytes.append(UInt8(scalar.value))
            } else {
                return nil
            }
        }
        guard let repaired = String(validating: bytes, as: UTF8.self), repaired != text else { return nil }
        return repaired
    }

    static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "pound": "£", "euro": "€",
        "ndash": "–", "mdash": "—", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "hellip": "…",
    ]

    /// The text without tags (`<p>`, `<br/>`, `<a href=…>`) and with entities (`&amp;`, `&#39;`) decoded, its
    /// whitespace collapsed; nil when it holds neither.
    static func stripHTML(_ text: String) -> String? {
        let characters = Array(text)
        var output = ""
        var changed = false
        var index = 0
        // Once no `>` follows, none follows any later `<` either: the search is not repeated (linear time on a
        // text of ten thousand `<a`).
        var noCloseAfter = characters.count
        func close(after start: Int) -> Int? {
            guard start < noCloseAfter else { return nil }
            if let found = characters[start...].firstIndex(of: ">") { return found }
            noCloseAfter = start
            return nil
        }
        while index < characters.count {
            let character = characters[index]
            if character == "<", index + 1 < characters.count,
                characters[index + 1].isLetter || characters[index + 1] == "/" || characters[index + 1] == "!",
                let close = close(after: index)
            {
                output.append(" ")
                index = close + 1
                changed = true
                continue
            }
            if character == "&", let end = characters[index...].prefix(12).firstIndex(of: ";") {
                let name = String(characters[(index + 1)..<end])
                var decoded: String?
                if let known = entities[name] {
                    decoded = known
                } else if name.hasPrefix("#x") || name.hasPrefix("#X"), let value = UInt32(name.dropFirst(2), radix: 16)
                {
                    decoded = Unicode.Scalar(value).map { String(Character($0)) }
                } else if name.hasPrefix("#"), let value = UInt32(name.dropFirst()) {
                    decoded = Unicode.Scalar(value).map { String(Character($0)) }
                }
                if let decoded {
                    output += decoded
                    index = end + 1
                    changed = true
                    continue
                }
            }
            output.append(character)
            index += 1
        }
        guard changed else { return nil }
        return output.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
