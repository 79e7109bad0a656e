import Foundation
import KioskCore

/// Reads one service, collecting problems.
///
/// Every value goes through the few readers below (``text(_:_:field:)``, ``integer(_:field:range:expected:)``,
/// ``list(_:_:field:)``): a value of the wrong kind, or a number no `Int` holds, becomes a problem naming the
/// field, never a trap.
struct ServiceReader {
    let index: Int
    let node: JSONNode
    /// The format being read (never ``DirectoryFormat/auto``).
    let format: DirectoryFormat
    /// The day the file is checked on, to report schedules whose validity has ended; nil not to check.
    let today: LocalDate?
    var serviceID: String?
    var problems: [DirectoryProblem] = []

    init(index: Int, node: JSONNode, format: DirectoryFormat = .oruk3, today: LocalDate? = nil) {
        self.index = index
        self.node = node
        self.format = format == .auto ? .oruk3 : format
        self.today = today
    }

    /// The member `key` of `parent`, or nil when it is absent, null or empty text (feeds write `""` for null).
    func present(_ parent: JSONNode, _ key: String) -> JSONNode? {
        guard let value = parent[key], !value.isNull else { return nil }
        if let text = value.string, text.allSatisfy(\.isWhitespace) { return nil }
        return value
    }

    /// Text a slip prints (a name, a description, an address line): as ``text(_:_:field:)``, with HTML tags and
    /// entities removed and mojibake repaired, each repair reported as a warning naming the field.
    mutating func displayText(_ parent: JSONNode, _ key: String, field: String? = nil) -> String? {
        guard let raw = text(parent, key, field: field) else { return nil }
        let (cleaned, repairs) = FeedText.clean(raw)
        let at = parent[key] ?? parent
        for repair in repairs {
            switch repair {
            case .html:
                problem(.warning, at, field ?? key, "holds HTML; printed without its tags as \"\(cleaned.prefix(60))\"")
            case .mojibake:
                problem(
                    .warning, at, field ?? key,
                    "holds mis-encoded text (UTF-8 read as Windows-1252); printed as \"\(cleaned.prefix(60))\"")
            }
        }
        return cleaned.isEmpty ? nil : cleaned
    }

    mutating func problem(_ severity: DirectoryProblem.Severity, _ at: JSONNode, _ field: String, _ message: String) {
        let location = serviceID == nil ? "services[\(index)]" + (field.isEmpty ? "" : ".\(field)") : field
        problems.append(
            DirectoryProblem(severity: severity, line: at.line, serviceID: serviceID, field: location, message: message)
        )
    }

    /// Optional text: nil when absent or null; a problem when it is not text. A whole number (an id or a phone
    /// number written without quotes) is read as its digits; one too large to read exactly is a problem.
    mutating func text(_ parent: JSONNode, _ key: String, field: String? = nil) -> String? {
        guard let value = parent[key], !value.isNull else { return nil }
        if let number = value.jsonNumber {
            if let whole = number.integer { return String(whole) }
            if !number.isWhole && number.double.isFinite && number.double.magnitude < 1e15 { return number.text }
            problem(
                .error, value, field ?? key,
                "\(number.text) is a number too large to read exactly; write it as text in quotes")
            return nil
        }
        guard let text = value.string else {
            problem(.error, value, field ?? key, "should be text; found \(value.kindName)")
            return nil
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A whole number in `range`, written as a number (`2`) or as text (`"2"`); nil, with a problem naming the
    /// field, for anything else: a fraction, text that is not a number, or a magnitude such as `1e300`.
    mutating func integer(_ value: JSONNode, field: String, range: ClosedRange<Int>, expected: String) -> Int? {
        let written: String
        var parsed: Int?
        if let number = value.jsonNumber {
            written = number.text
            parsed = number.integer
        } else if let text = value.string {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            written = "\"\(trimmed)\""
            parsed = Int(trimmed)
        } else {
            problem(.error, value, field, "should be \(expected); found \(value.kindName)")
            return nil
        }
        guard let parsed, range.contains(parsed) else {
            problem(.error, value, field, "\(written) is not \(expected)")
            return nil
        }
        return parsed
    }

    mutating func list(_ parent: JSONNode, _ key: String, field: String? = nil) -> [JSONNode] {
        guard let value = present(parent, key) else { return [] }
        guard let items = value.array else {
            problem(.error, value, field ?? key, "should be a list; found \(value.kindName)")
            return []
        }
        return items
    }

    /// Warns about each field of `object` that is one or two edits from a field of `known` (`shedules`): a field
    /// far from every known one is taken to be one of the extra fields feeds carry, and stays silent.
    mutating func checkSpelling(of object: JSONNode, known: Set<String>, field prefix: String) {
        for (key, value) in object.members ?? [] {
            guard let suggestion = FieldSpelling.suggestion(for: key, among: known) else { continue }
            problem(
                .warning, value, prefix.isEmpty ? key : "\(prefix).\(key)",
                "\"\(key)\" is not a field the kiosk reads; did you mean \(suggestion)?")
        }
    }

    /// What every format's service starts with: an object with an `id` (nil if not, with the problem said), its
    /// fields' spelling checked against `known`, and its `name` (a problem if it has none).
    mutating func readIdentity(known: Set<String>) -> (id: String, name: String?)? {
        guard case .object = node.value else {
            problem(.error, node, "", "should be an object (a service); found \(node.kindName)")
            return nil
        }
        let problemsBefore = problems.count
        let id = text(node, "id")
        serviceID = id
        guard let id else {
            // Unless the id is there but unreadable (a problem already says why).
            if problems.count == problemsBefore { problem(.error, node, "id", "every service needs an \"id\"") }
            return nil
        }
        checkSpelling(of: node, known: known, field: "")
        let name = displayText(node, "name")
        if name == nil { problem(.error, node, "name", "every service needs a \"name\": it is what the slip prints") }
        return (id, name)
    }

    /// Reads the service as its format writes it: ``readORUK()`` for ORUK v3 and v1, ``readALISS()`` for ALISS.
    mutating func read() -> DirectoryService? {
        format == .aliss ? readALISS() : readORUK()
    }

    /// A taxonomy term: an object (HSDS 3 `taxonomy_term`, ORUK v1 `taxonomy`), or just its id or code as text or
    /// a number. Its taxonomy (vocabulary) is `vocabulary`, `taxonomy` (a name, an id, or an object with a name),
    /// `taxonomy_detail` or `taxonomy_id`.
    mutating func readTerm(_ node: JSONNode, field: String) -> TaxonomyTerm? {
        if node.string != nil || node.jsonNumber != nil {
            let wrapper = JSONNode(.object([("term", node)]), line: node.line, column: node.column)
            guard let value = text(wrapper, "term", field: field) else { return nil }
            return TaxonomyTerm(id: value, code: value)
        }
        guard node.members != nil else {
            problem(.error, node, field, "should be a taxonomy term (an object, or its id); found \(node.kindName)")
            return nil
        }
        checkSpelling(of: node, known: FieldSpelling.taxonomyTerm, field: field)
        var vocabulary = text(node, "vocabulary", field: "\(field).vocabulary")
        for key in ["taxonomy", "taxonomy_detail"] where vocabulary == nil {
            guard let taxonomy = present(node, key) else { continue }
            if taxonomy.members != nil {
                vocabulary =
                    text(taxonomy, "name", field: "\(field).\(key).name")
                    ?? text(taxonomy, "id", field: "\(field).\(key).id")
            } else {
                vocabulary = text(node, key, field: "\(field).\(key)")
            }
        }
        if vocabulary == nil { vocabulary = text(node, "taxonomy_id", field: "\(field).taxonomy_id") }
        let term = TaxonomyTerm(
            id: text(node, "id", field: "\(field).id"),
            code: text(node, "code", field: "\(field).code"),
            term: text(node, "term", field: "\(field).term") ?? text(node, "name", field: "\(field).name"),
            vocabulary: vocabulary)
        if term.id == nil && term.code == nil && term.term == nil {
            problem(.warning, node, field, "has no id, code, name or term: no need can find the service by it")
            return nil
        }
        return term
    }
}
