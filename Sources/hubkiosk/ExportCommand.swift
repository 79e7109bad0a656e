import ArgumentParser
import Foundation
import KioskConfig
import KioskCore
import KioskStore

extension TallyGrouping: ExpressibleByArgument {}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv
    case json
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Visit tallies by hour, day, ISO week or month and need, as CSV or JSON.",
        discussion: """
            Counts are exact unless --suppress is given. With --suppress (use it for anything that leaves the \
            hub) counts of 1-7 are shown as [c] and others are rounded to the nearest 5; totals are summed first. \
            Each row's start and end are the first and last day it counts: where --from or --to falls inside a \
            period, its row counts only the days inside the range and says partial=true. An hour is labelled \
            YYYY-MM-DDTHH (the hub's local hour). Tallies come from the kiosk's tally ledger, which is kept when \
            raw presses are purged after the reporting service acknowledged them.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "First day (YYYY-MM-DD), in the hub's time zone.")
    var from: String?

    @Option(help: "Last day (YYYY-MM-DD).")
    var to: String?

    @Option(help: "Group by hour, day, week or month.")
    var by: TallyGrouping = .week

    @Option(help: "csv or json.")
    var format: ExportFormat = .csv

    @Flag(help: "Suppress small counts and round the rest (for partners and funders).")
    var suppress = false

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func validate() throws {
        if let from, LocalDate(iso: from) == nil { throw ValidationError("--from \(from) is not a date (YYYY-MM-DD)") }
        if let to, LocalDate(iso: to) == nil { throw ValidationError("--to \(to) is not a date (YYYY-MM-DD)") }
        if let from, let to, let a = LocalDate(iso: from), let b = LocalDate(iso: to), b < a {
            throw ValidationError("--to \(to) is before --from \(from)")
        }
    }

    func run() async throws {
        let configuration = try await global.configuration()
        let database = try await global.database(configuration)
        let report = try database.tallyReport(
            hubID: configuration.hub.id, needs: configuration.layout.needs.map(\.code), grouping: by,
            from: from.flatMap { LocalDate(iso: $0) }, to: to.flatMap { LocalDate(iso: $0) })
        let text = format == .csv ? report.csv(suppress: suppress) : report.json(suppress: suppress)
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                throw ToolError("cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
