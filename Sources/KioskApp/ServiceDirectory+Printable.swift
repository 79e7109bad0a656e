import ESCPOS
import KioskCore
import KioskDirectory

extension ServiceDirectory {
    /// A warning for each printed text with characters `codePage` cannot print (until slips print any script):
    /// Cyrillic and Greek are written in Latin letters and need none; what has no Latin form is left out. Shown by
    /// `hubkiosk directory check`, `hubkioskd --check` and the daemon's start-up log.
    public func unprintableTextWarnings(codePage: CodePage) -> [DirectoryProblem] {
        let transliterator = Transliterator(codePage: codePage)
        var problems: [DirectoryProblem] = []
        for service in services where service.status == .active {
            for (field, text) in SlipComposer.printedTexts(of: service) {
                let printable = transliterator.printable(text)
                guard !printable.isComplete else { continue }
                let left = printable.omitted.map { "\"\($0)\"" }.joined(separator: ", ")
                let message: String
                if let kept = printable.text {
                    message =
                        "the printer (\(codePage.name)) cannot print \(left): slips print \"\(kept)\"; "
                        + "add the text in Latin letters if it matters"
                } else {
                    message =
                        "the printer (\(codePage.name)) cannot print \"\(text)\": slips leave it out; "
                        + "give it in Latin letters too, like \"English name / \(text)\""
                }
                problems.append(
                    DirectoryProblem(
                        severity: .warning, line: nil, serviceID: service.id, field: field, message: message))
            }
        }
        return problems
    }
}
