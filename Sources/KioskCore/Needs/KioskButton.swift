/// What pressing a button means.
public enum ButtonAction: Hashable, Sendable {
    /// The visitor says what they need: the press counts the need and prints its slip.
    case need(NeedCode)
    /// "Just visiting": the press counts a visit with no need and prints nothing.
    case checkin
}

/// A button of the kiosk and what it means.
public struct KioskButton: Hashable, Sendable {
    public var id: ButtonID
    public var action: ButtonAction

    public init(id: ButtonID, action: ButtonAction) {
        self.id = id
        self.action = action
    }

    /// The need the button counts, or nil for the check-in button.
    public var need: NeedCode? {
        if case .need(let code) = action { return code }
        return nil
    }
}

/// The needs and buttons of one kiosk.
public struct KioskLayout: Sendable, Hashable {
    public var needs: [Need]
    public var buttons: [KioskButton]

    public init(needs: [Need], buttons: [KioskButton]) {
        self.needs = needs
        self.buttons = buttons
    }

    /// Default needs, a button per need named after it, and a `checkin` button.
    public static func standard(needs: [Need] = Need.defaults) -> KioskLayout {
        KioskLayout(
            needs: needs,
            buttons: needs.map { KioskButton(id: ButtonID($0.code.rawValue), action: .need($0.code)) }
                + [KioskButton(id: "checkin", action: .checkin)]
        )
    }

    public func need(_ code: NeedCode) -> Need? { needs.first { $0.code == code } }

    public func button(_ id: ButtonID) -> KioskButton? { buttons.first { $0.id == id } }

    /// Finds the button a staff member or a scenario means by `name`: a button id, or a need code.
    public func button(named name: String) -> KioskButton? {
        if let button = button(ButtonID(name)) { return button }
        return buttons.first { $0.need == NeedCode(name) }
    }

    /// Every name `button(named:)` accepts, for error messages that list the valid ones.
    public var buttonNames: [String] {
        var names: [String] = []
        for button in buttons where !names.contains(button.id.rawValue) {
            names.append(button.id.rawValue)
        }
        for need in needs where !names.contains(need.code.rawValue) && buttons.contains(where: { $0.need == need.code })
        {
            names.append(need.code.rawValue)
        }
        return names
    }
}
