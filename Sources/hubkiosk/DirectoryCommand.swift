import ArgumentParser
import ESCPOS
import Foundation
import KioskApp
import KioskConfig
import KioskCore

struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Work with the directory of services.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a directory file (ORUK v3 JSON) and report every problem.",
            discussion: """
                With a configuration (--config, or the daemon's), also checks that every need finds services and \
                every service is found by a need. Exits 1 if the file has errors.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The directory file.")
        var file: String

        @Flag(help: "Do not read the configuration: check the file on its own.")
        var noConfig = false

        func run() throws {
            let configuration = noConfig ? nil : try? global.configuration()
            let needs = configuration?.layout.needs
            let result = DirectoryLoader.check(path: file, needs: needs)
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
                "\(file): \(services.count) services (\(active) active), \(result.errors.count) errors, "
                    + "\(result.warnings.count + unprintable.count) warnings"
                    + (needs == nil ? " (needs not checked: no configuration)" : ""))
            if let needs {
                for need in needs {
                    print("  \(need.code): \(result.directory.activeServices(for: need).count) active services")
                }
            }
            if !result.errors.isEmpty { throw ExitCode.failure }
        }
    }
}
