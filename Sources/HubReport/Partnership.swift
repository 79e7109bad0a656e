import KioskCore

/// The partnership a `hubreport` service reports for: its name and its partnership-wide need codes, so that the
/// dataset is coherent across hubs. A kiosk need code the partnership does not list is kept and reported, never
/// dropped.
public struct Partnership: Sendable, Equatable {
    /// One need the partnership agreed on.
    public struct Need: Sendable, Equatable {
        public var code: NeedCode
        /// How exports and pages name it.
        public var label: String

        public init(code: NeedCode, label: String) {
            self.code = code
            self.label = label
        }
    }

    public var name: String
    /// In the order exports show them.
    public var needs: [Need]

    public init(name: String, needs: [Need]) {
        self.name = name
        self.needs = needs
    }

    /// Whether `code` is one of the partnership's needs.
    public func knows(_ code: NeedCode) -> Bool { needs.contains { $0.code == code } }

    /// The codes of `codes` the partnership does not list, sorted.
    public func unknown(_ codes: some Sequence<NeedCode>) -> [NeedCode] {
        Set(codes).filter { !knows($0) }.sorted()
    }

    /// The needs of DESIGN.md's kiosk, for a service started without a configuration file.
    public static let example = Partnership(
        name: "Example partnership",
        needs: [
            Need(code: "money", label: "Money and benefits advice"),
            Need(code: "food", label: "Food"),
            Need(code: "housing", label: "Housing"),
            Need(code: "wellbeing", label: "Mental health and wellbeing"),
            Need(code: "social", label: "Social groups and befriending"),
            Need(code: "caring", label: "Support for carers"),
            Need(code: "work", label: "Learning and work"),
            Need(code: "talk", label: "Talk to someone"),
        ])
}
