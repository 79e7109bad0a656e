import KioskCore
import TOMLKit

extension ConfigLoader {
    /// A GPIO line written as a name (`"GPIO17"`), `"chip:offset"` or an offset (`17`).
    static func lineSpec(_ reader: inout TableReader, _ key: String) -> GPIOLineSpec? {
        guard let value = reader.table?[key] else { return nil }
        reader.markKnown(key)
        let offsets = GPIOLineSpec.offsets
        let advice = "a line's offset on its chip goes from \(offsets.lowerBound) to \(offsets.upperBound)"
        if let offset = value.int {
            guard offsets.contains(offset) else {
                reader.problem(key, "\(offset) is not a line offset; \(advice)")
                return nil
            }
            return GPIOLineSpec(offset: offset)
        }
        if let text = value.string {
            if let spec = GPIOLineSpec(text) { return spec }
            if GPIOLineSpec.looksLikeOffset(text) {
                reader.problem(key, "\"\(text)\" is not a line offset; \(advice)")
                return nil
            }
        }
        reader.problem(key, "should be a line name like \"GPIO17\", \"gpiochip0:17\" or an offset like 17")
        return nil
    }

    /// One configured GPIO line: which key named it.
    struct WiredLine {
        var spec: GPIOLineSpec
        var table: String
        var index: Int?
        var key: String
    }

    /// What can be known about the wiring without the board: no two keys (button lines, LEDs, the staff alert)
    /// name the same line, by name (`GPIO17`) or by chip and offset (`gpiochip0:17`, `17` on `[board] chip`);
    /// on the board, a bare offset needs `[board] chip`. A name and an offset are compared only on the board
    /// itself (which chip has `GPIO17` differs between a Pi 4 and a Pi 5).
    static func checkWiring(
        _ lines: [WiredLine], board: KioskConfiguration.Board, backend: Backend, context: ReaderContext
    ) {
        var lines = lines
        if let alert = board.staffAlert {
            lines.append(WiredLine(spec: alert, table: "board", index: nil, key: "staff_alert"))
        }
        var first: [GPIOLineSpec.Identity: WiredLine] = [:]
        for line in lines {
            let reader = TableReader(nil, name: line.table, index: line.index, context: context)
            guard let identity = line.spec.identity(defaultChip: board.chip) else {
                if backend == .board, case .offset(nil, let offset) = line.spec {
                    reader.problem(
                        line.key,
                        "\(offset) is an offset, which needs a chip: set chip in [board] (like chip = \"gpiochip0\"), "
                            + "write \"gpiochip0:\(offset)\", or name the line (\"GPIO\(offset)\")")
                }
                continue
            }
            if let earlier = first[identity] {
                let other = TableReader(nil, name: earlier.table, index: earlier.index, context: context)
                let where_ = context.locator.line(table: earlier.table, index: earlier.index, key: earlier.key)
                reader.problem(
                    line.key,
                    "\(identity) is also \(other.label(earlier.key))\(where_.map { " (line \($0))" } ?? ""): every "
                        + "button, LED and the staff alert needs its own GPIO line")
            } else {
                first[identity] = line
            }
        }
    }
}
