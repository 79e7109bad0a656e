import ArgumentParser
import Foundation
import HubReport
import HubReportAPI
import KioskCore

extension ExportGrouping: ExpressibleByArgument {}

/// The file formats of `hubreport export`.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json
}

/// `hubreport export`: all hubs side by side, suppressed unless `--exact`.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every hub's tallies side by side, by period and need; small counts suppressed.",
        discussion: """
            Suppressed by default, for anything meant for partners or funders: counts of 1-7 are shown as [c], \
            others rounded to the nearest 5; the `all` rows and the totals are summed from exact counts first. \
            --exact shows exact counts (for the partnership's own analysis only). A row cut by --from/--to says \
            which days it counts (start, end) and is marked partial.
            """)

    @OptionGroup var options: CommonOptions
    @Option(name: .long, help: ArgumentHelp("The first day (hub calendar).", valueName: "YYYY-MM-DD")) var from: String?
    @Option(name: .long, help: ArgumentHelp("The last day (hub calendar).", valueName: "YYYY-MM-DD")) var to: String?
    @Option(name: .long, help: "Group by hour, day, week (ISO, Monday-Sunday) or month.") var by: ExportGrouping
    @Option(name: .long, help: "Only this hub.") var hub: String?
    @Option(name: .long, help: "csv or json.") var format: ReportFormat
    @Flag(name: .long, help: "Exact counts, without suppression.") var exact = false

    func run() async throws {
        try await reportingFailures {
            let fromDate = try date(from, option: "--from")
            let toDate = try date(to, option: "--to")
            if let fromDate, let toDate, toDate < fromDate {
                throw ToolFailure(message: "--to \(toDate) is before --from \(fromDate)", exitCode: 64)
            }
            let configuration = try options.loadConfiguration()
            try await options.withStore(configuration) { store, _ in
                let hubs = try await store.hubs()
                if let hub, !hubs.contains(where: { $0.id == hub }) {
                    throw ToolFailure(message: "no hub \"\(hub)\"; `hubreport hub list` shows them", exitCode: 64)
                }
                // Folded as the store reads them: the memory is the export's rows, not every hub-day.
                let builder = try await store.buckets(
                    BucketQuery(from: fromDate, to: toDate, hubID: hub, resolution: by == .hour ? .asSent : .day),
                    into: ReportExport.Builder(
                        hubs: hubs, partnership: configuration.partnership, grouping: by, from: fromDate, to: toDate)
                ) { $0.add($1) }
                let export: ReportExport
                do {
                    export = try builder.finish()
                } catch {
                    throw ToolFailure(message: "\(error)", exitCode: 73)
                }
                if !export.unknownNeeds.isEmpty {
                    FileHandle.standardError.write(
                        Data(
                            ("hubreport: need codes the partnership does not list (kept, in their own columns): "
                                + export.unknownNeeds.map(\.rawValue).joined(separator: ", ") + "\n").utf8))
                }
                switch format {
                case .csv: FileHandle.standardOutput.write(Data(export.csv(exact: exact).utf8))
                case .json:
                    FileHandle.standardOutput.write(try export.json(exact: exact))
                    FileHandle.standardOutput.write(Data("\n".utf8))
                }
            }
        }
    }

    func date(_ text: String?, option: String) throws -> LocalDate? {
        guard let text else { return nil }
        guard let date = WireSyntax.localDate(text) else {
            throw ToolFailure(message: "\(option) \"\(text)\" is not a date (YYYY-MM-DD)", exitCode: 64)
        }
        return date
    }
}
