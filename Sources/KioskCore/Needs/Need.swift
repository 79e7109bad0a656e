/// A need the partnership agreed to count, with the taxonomy terms that find services for it.
public struct Need: Hashable, Sendable {
    /// The code stored and exported (`food`).
    public var code: NeedCode
    /// The label staff and coordinators see (`Money, benefits & bills`). Never printed on a slip.
    public var label: String
    /// Taxonomy term codes, ids or names in the directory that mean a service helps with this need.
    public var taxonomyTerms: [String]
    /// Whether a counted press raises the staff alert (`talk` = talk to someone).
    public var alertsStaff: Bool

    public init(code: NeedCode, label: String, taxonomyTerms: [String], alertsStaff: Bool = false) {
        self.code = code
        self.label = label
        self.taxonomyTerms = taxonomyTerms
        self.alertsStaff = alertsStaff
    }
}

extension Need {
    /// The needs a kiosk counts when its configuration lists none.
    public static let defaults: [Need] = [
        Need(
            code: "money",
            label: "Money, benefits & bills",
            taxonomyTerms: ["money", "benefits-advice", "debt-advice", "energy-advice", "welfare-rights"]
        ),
        Need(code: "food", label: "Food", taxonomyTerms: ["food", "food-bank", "food-pantry", "community-meal"]),
        Need(
            code: "housing",
            label: "Housing & homelessness",
            taxonomyTerms: ["housing", "housing-advice", "homelessness"]
        ),
        Need(
            code: "wellbeing",
            label: "Mental health & wellbeing",
            taxonomyTerms: ["wellbeing", "mental-health", "peer-support"]
        ),
        Need(
            code: "social",
            label: "Loneliness & meeting people",
            taxonomyTerms: ["social", "befriending", "social-group", "warm-space"]
        ),
        Need(code: "caring", label: "Caring for someone", taxonomyTerms: ["caring", "carers-support"]),
        Need(
            code: "work",
            label: "Work, learning & digital skills",
            taxonomyTerms: ["work", "employability", "adult-learning", "digital-skills"]
        ),
        Need(
            code: "talk",
            label: "Talk to someone",
            taxonomyTerms: ["talk", "link-worker", "drop-in", "listening"],
            alertsStaff: true
        ),
    ]
}
