import KioskCore
import TOMLKit

extension ConfigLoader {
    static func arrayOfTables(_ root: TOMLTable, _ key: String, top: inout TableReader) -> [TOMLTable]? {
        guard let value = root[key] else { return nil }
        top.markKnown(key)
        guard let array = value.array else {
            top.problem(key, "should be written as [[\(key)]] tables")
            return []
        }
        var tables: [TOMLTable] = []
        for item in array {
            guard let table = item.table else {
                top.problem(key, "should be written as [[\(key)]] tables")
                return []
            }
            tables.append(table)
        }
        return tables
    }

    static func readNeeds(_ root: TOMLTable, top: inout TableReader, context: ReaderContext) -> [Need] {
        guard let tables = arrayOfTables(root, "needs", top: &top) else { return Need.defaults }
        var needs: [Need] = []
        // Sets, not searches of the lists: a file of thousands of entries is checked in linear time.
        var codes: Set<String> = []
        for (index, table) in tables.enumerated() {
            var reader = TableReader(table, name: "needs", index: index, context: context)
            guard let code = reader.string("code") else {
                reader.problem(nil, "every need needs a code, like code = \"food\"")
                continue
            }
            if !NeedCode.isValid(code) || code == "checkin" {
                reader.problem("code", "\"\(code)\" should be a short lower-case word (and not \"checkin\")")
            }
            if !codes.insert(code).inserted {
                reader.problem("code", "\"\(code)\" is listed twice")
            }
            let defaults = Need.defaults.first { $0.code.rawValue == code }
            let label = reader.string("label") ?? defaults?.label ?? code
            let taxonomy = reader.strings("taxonomy") ?? defaults?.taxonomyTerms ?? [code]
            if taxonomy.isEmpty {
                reader.problem("taxonomy", "lists no terms, so no service can ever be printed for this need")
            }
            let alert = reader.bool("alert_staff") ?? defaults?.alertsStaff ?? false
            reader.reportUnknownKeys()
            needs.append(Need(code: NeedCode(code), label: label, taxonomyTerms: taxonomy, alertsStaff: alert))
        }
        if needs.isEmpty { top.problem("needs", "lists no needs; remove [[needs]] to use the default ones") }
        return needs
    }

    static func readButtons(
        _ root: TOMLTable, needs: [Need], backend: Backend, top: inout TableReader, context: ReaderContext
    ) -> (buttons: [KioskButton], wiring: [ButtonID: KioskConfiguration.Wiring], lines: [WiredLine]) {
        guard let tables = arrayOfTables(root, "buttons", top: &top) else {
            context.add(
                ConfigProblem(
                    file: context.file, line: nil, key: "[[buttons]]",
                    message:
                        "none are set; add a [[buttons]] table for each button, like [[buttons]] need = \"food\" "
                        + "(and on the board line = \"GPIO6\"), and one with action = \"checkin\" for \"just "
                        + "visiting\" (Simulator/kiosk.toml shows them all)"))
            return ([], [:], [])
        }
        var buttons: [KioskButton] = []
        var wiring: [ButtonID: KioskConfiguration.Wiring] = [:]
        var lines: [WiredLine] = []
        var ids: Set<String> = []
        let needCodes = Set(needs.map(\.code.rawValue))
        for (index, table) in tables.enumerated() {
            var reader = TableReader(table, name: "buttons", index: index, context: context)
            let need = reader.string("need")
            let action = reader.string("action")
            let id = reader.string("id") ?? need ?? action ?? ""
            let line = lineSpec(&reader, "line")
            let led = lineSpec(&reader, "led")
            if backend == .board && !reader.has("line") {
                reader.problem(
                    "line",
                    "the board backend needs each button's GPIO line, like line = \"GPIO17\" (or line = 17 on "
                        + "[board] chip)")
            }
            if let line { lines.append(WiredLine(spec: line, table: "buttons", index: index, key: "line")) }
            if let led { lines.append(WiredLine(spec: led, table: "buttons", index: index, key: "led")) }
            reader.reportUnknownKeys()
            if line != nil || led != nil { wiring[ButtonID(id)] = KioskConfiguration.Wiring(line: line, led: led) }
            if id.isEmpty || !NeedCode.isValid(id) {
                reader.problem("id", "every button needs an id of lower-case letters, like id = \"food\"")
                continue
            }
            if !ids.insert(id).inserted {
                reader.problem("id", "\"\(id)\" is used by two buttons")
            }
            switch (need, action) {
            case (let need?, nil):
                guard needCodes.contains(need) else {
                    reader.problem(
                        "need",
                        "\"\(need)\" is not one of the needs: " + needs.map(\.code.rawValue).joined(separator: ", "))
                    continue
                }
                buttons.append(KioskButton(id: ButtonID(id), action: .need(NeedCode(need))))
            case (nil, "checkin"?):
                buttons.append(KioskButton(id: ButtonID(id), action: .checkin))
            case (nil, let other?):
                reader.problem("action", "\"\(other)\" is not an action; the only one is \"checkin\"")
            case (nil, nil):
                reader.problem(nil, "a button needs either need = \"…\" or action = \"checkin\"")
            case (_?, _?):
                reader.problem("action", "a button has need or action, not both")
            }
        }
        if buttons.isEmpty { top.problem("buttons", "lists no buttons") }
        return (buttons, wiring, lines)
    }
}
