import ArgumentParser
import ESCPOS
import Foundation
import KioskApp
import KioskConfig
import KioskCore
import KioskDirectory

struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Work with the directory of services.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a directory file (ORUK v3, ORUK v1 or ALISS JSON) and report every problem.",
            discussion: """
                With a configuration (--config, or the daemon's), also checks that every need finds services and \
                every service is found by a need, and sums up what each need gets after the taxonomy mapping. \
                Exits 1 if the file has errors.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The directory file.")
        var file: String

        @Option(help: "The file's format: auto, oruk3, oruk1 or aliss (default: the config's, else auto).")
        var format: String?

        @Flag(help: "Do not read the configuration: check the file on its own.")
        var noConfig = false

        func run() throws {
            let configuration = noConfig ? nil : try? global.configuration()
            var chosen = configuration?.directoryFormat ?? .auto
            if let format {
                guard let parsed = DirectoryFormat(name: format) else {
                    throw ValidationError(
                        "\"\(format)\" is not a directory format; use one of \(DirectoryFormat.names)")
                }
                chosen = parsed
            }
            let needs = configuration?.layout.needs
            let timeZone = configuration?.hub.timeZone ?? HubTimeZone(TimeZone.current)
            let today = timeZone.localDate(of: Date())
            let result = DirectoryLoader.check(path: file, format: chosen, needs: needs, today: today)
            let unprintable = result.directory.unprintableTextWarnings(
                codePage: (configuration?.printerProfile ?? .epsonTMT20II).codePage)
            for problem in result.problems + unprintable {
                print(
                    "\(file):\(problem.line.map(String.init) ?? "-"): \(problem.severity.rawValue): "
                        + problem.description.replacingOccurrences(of: "line \(problem.line ?? -1): ", with: ""))
            }
            let services = result.directory.services
            let active = services.filter { $0.status == .active }.count
            print(
                "\(file): \(result.format) format, \(services.count) services read (\(active) active), "
                    + "\(result.errors.count) errors, \(result.warnings.count + unprintable.count) warnings"
                    + (needs == nil ? " (needs not checked: no configuration)" : ""))
            if let needs {
                let summary = DirectorySummary(directory: result.directory, needs: needs)
                for (code, count) in summary.perNeed {
                    print("  \(code): \(count) active services")
                }
                print(
                    "  no need reaches \(summary.unreached.count) active services"
                        + (summary.unreached.isEmpty
                            ? ""
                            : ": " + summary.unreached.prefix(10).joined(separator: ", ")
                                + (summary.unreached.count > 10 ? ", …" : "")))
                if summary.unmappedTerms.isEmpty {
                    print("  every feed term maps to a need")
                } else {
                    let terms = summary.unmappedTerms.prefix(20).map { "\($0.term) (\($0.services))" }
                    print(
                        "  feed terms no need maps: \(terms.joined(separator: ", "))"
                            + (summary.unmappedTerms.count > 20 ? ", …" : ""))
                }
            }
            if !result.errors.isEmpty { throw ExitCode.failure }
        }
    }
}
