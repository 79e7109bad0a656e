/// Word wrapping to a fixed number of columns.
public enum TextWrapper {
    /// Splits `text` into lines of at most `width` characters: at spaces where possible, inside a word only when
    /// the word alone is longer than a line. Line breaks in the text are kept; runs of spaces fold into one.
    public static func wrap(_ text: String, width: Int) -> [String] {
        precondition(width > 0, "a line holds at least one character")
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                var word = Substring(word)
                if line.isEmpty {
                    // fall through to placement below
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                    continue
                } else {
                    lines.append(line)
                    line = ""
                }
                while word.count > width {
                    lines.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                line = String(word)
            }
            lines.append(line)
        }
        return lines
    }
}
