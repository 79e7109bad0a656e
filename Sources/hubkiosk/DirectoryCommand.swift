import ArgumentParser
import CoreFoundation
import ESCPOS
import Foundation
import KioskApp
import KioskConfig
import KioskControl
import KioskCore
import KioskDirectory
import KioskFeed
import Logging

struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Work with the directory of services.",
        subcommands: [Check.self, Status.self, Reload.self, Import.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a directory file or feed (ORUK v3, ORUK v1 or ALISS JSON) and report every problem.",
            discussion: """
                A feed (https://…) is fetched page by page as the daemon would; --save keeps what was fetched, as \
                one file, so that the line numbers in the problems can be looked up. With a configuration \
                (--config, or the daemon's), also checks that every need finds services and every service is found \
                by a need, and sums up what each need gets after the taxonomy mapping. Exits 1 if it has errors.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The directory file, or the feed's address.")
        var source: String

        @Option(help: "The format: auto, oruk3, oruk1 or aliss (default: the config's, else auto).")
        var format: String?

        @Option(help: "For a feed: write what was fetched (all pages as one file) here.")
        var save: String?

        @Flag(help: "Do not read the configuration: check the file on its own.")
        var noConfig = false

        func run() async throws {
            let configuration = noConfig ? nil : try? await global.configuration()
            let chosen = try DirectoryCommand.format(format, configuration: configuration)
            let needs = configuration?.layout.needs
            let timeZone = configuration?.hub.timeZone ?? HubTimeZone(TimeZone.current)
            let today = timeZone.localDate(of: Date())
            let result: DirectoryDecoder.Result
            var name = source
            if DirectoryCommand.isFeed(source) {
                let fetched = try await DirectoryCommand.fetch(source, format: chosen, configuration: configuration)
                if let save {
                    try Data(fetched.document).write(to: URL(fileURLWithPath: save))
                    name = save
                }
                print("\(source): \(fetched.pages) page\(fetched.pages == 1 ? "" : "s"), \(fetched.requests) requests")
                for note in fetched.notes { print("\(source): warning: \(note)") }
                result = DirectoryDecoder().decode(fetched.document, format: fetched.format, needs: needs, today: today)
                if save == nil { name = "\(source) (fetched; --save FILE keeps it, to look the lines up)" }
            } else {
                result = DirectoryLoader.check(path: source, format: chosen, needs: needs, today: today)
            }
            let unprintable = result.directory.unprintableTextWarnings(
                codePage: (configuration?.printerProfile ?? .epsonTMT20II).codePage)
            for problem in result.problems + unprintable {
                print(
                    "\(name):\(problem.line.map(String.init) ?? "-"): \(problem.severity.rawValue): "
                        + problem.description.replacingOccurrences(of: "line \(problem.line ?? -1): ", with: ""))
            }
            let services = result.directory.services
            let active = services.filter { $0.status == .active }.count
            print(
                "\(name): \(result.format) format, \(services.count) services read (\(active) active), "
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

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Where the directory in use comes from, when it was last checked, and the last problem.")

        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            let (status, running) = try await DirectoryCommand.currentStatus(global)
            if json { return try printJSON(status) }
            printDirectoryStatus(status, daemonRunning: running)
            if status.stale || status.heldBack != nil { throw ExitCode(1) }
        }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the directory's source again (the file, or a pull of the feed) without a restart.",
            discussion: """
                The daemon uses the new directory only if it has no errors (and, for a feed, if it does not lose \
                most services at once); otherwise it keeps the one in use and says why. Slips being printed finish \
                with the old one. `kill -HUP` on the daemon does the same.
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            var client = try await global.control()
            // A pull retries a failing feed for up to about a minute per request.
            client.timeout = .seconds(600)
            let status = try await client.call("POST", "/directory/reload", as: ControlAPI.DirectoryStatus.self)
            if json { return try printJSON(status) }
            if let result = status.result { print(result) }
            printDirectoryStatus(status, daemonRunning: true)
            if status.lastError != nil && status.result == status.lastError { throw ExitCode(1) }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what a directory file or feed would change (services added, removed, renamed, new "
                + "opening times), and use it with --apply.",
            discussion: """
                Nothing changes without --apply. A copy that loses most of the services in use needs --allow-loss \
                as well. With the daemon running it takes the new directory at once; otherwise the copy is stored in \
                the state directory and used at the next start.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The directory file, or the feed's address.")
        var source: String

        @Option(help: "The format: auto, oruk3, oruk1 or aliss (default: the config's, else auto).")
        var format: String?

        @Flag(name: .long, help: "Use it (after showing the changes).")
        var apply = false

        @Flag(name: .customLong("allow-loss"), help: "Use it even if most services in use are gone from it.")
        var allowLoss = false

        func run() async throws {
            let configuration = try await global.configuration()
            let chosen = try DirectoryCommand.format(format, configuration: configuration)
            let bytes: [UInt8]
            var detected = chosen
            if DirectoryCommand.isFeed(source) {
                let fetched = try await DirectoryCommand.fetch(source, format: chosen, configuration: configuration)
                for note in fetched.notes { print("\(source): warning: \(note)") }
                bytes = fetched.document
                detected = fetched.format
            } else {
                do {
                    bytes = try TextFile.read(atPath: source, maximumBytes: 100_000_000)
                } catch {
                    throw ToolError(error.message)
                }
            }
            let today = configuration.hub.timeZone.localDate(of: Date())
            let result = DirectoryDecoder().decode(
                bytes, format: detected, needs: configuration.layout.needs, today: today)
            for problem in result.errors.prefix(20) { print("\(source): error: \(problem)") }
            guard result.errors.isEmpty else {
                throw ToolError(
                    "\(source) has \(result.errors.count) errors and cannot be used (`hubkiosk directory check "
                        + "\(source)` lists them all); nothing was changed")
            }
            // What the daemon uses now: the same choice it made at start, from the same files.
            let stateDirectory = await global.resolvedStateDirectory(configuration)
            let current: ServiceDirectory
            do {
                current =
                    try stateDirectory.map { try DirectoryFiles(stateDirectory: $0).initial(for: configuration) }?
                    .directory ?? ServiceDirectory(services: [])
            } catch {
                current = ServiceDirectory(services: [])
            }
            let changes = DirectoryChanges(from: current, to: result.directory)
            print(
                "\(source): \(result.format) format, \(result.directory.services.count) services "
                    + "(\(changes.activeAfter) active; \(changes.activeBefore) active in use now)")
            for line in changes.lines() { print("  \(line)") }
            print("Changes: \(changes.summary)")
            let percent = configuration.directorySource.maximumLossPercent
            let loses = changes.losesMost(percent: percent)
            if loses {
                print(
                    "WARNING: more than \(percent) % of the active services in use are gone from it"
                        + (allowLoss ? "" : "; --apply needs --allow-loss too"))
            }
            guard apply else {
                if !changes.isEmpty { print("Nothing changed yet: add --apply to use it.") }
                return
            }
            if loses && !allowLoss { throw ToolError("not applied: add --allow-loss to confirm the loss") }
            let label =
                DirectoryCommand.isFeed(source)
                ? source : URL(fileURLWithPath: source).standardizedFileURL.path
            if var client = try await global.runningControl() {
                client.timeout = .seconds(120)
                var query = URLComponents()
                query.queryItems = [
                    URLQueryItem(name: "format", value: result.format.rawValue),
                    URLQueryItem(name: "label", value: label),
                    URLQueryItem(name: "allow_loss", value: allowLoss ? "true" : "false"),
                ]
                let (code, body) = try await client.request(
                    "POST", "/directory/apply?" + (query.percentEncodedQuery ?? ""), body: Data(bytes))
                guard (200..<300).contains(code),
                    let status = try? JSONDecoder().decode(ControlAPI.DirectoryStatus.self, from: body)
                else {
                    throw ToolError("the daemon refused: \(String(decoding: body, as: UTF8.self))")
                }
                print(status.result ?? "applied")
                if status.inUse != "import of \(label)" { throw ExitCode(1) }
                return
            }
            guard let stateDirectory else { throw ToolError("no state directory: pass --state-dir") }
            let now = Date()
            let state = DirectoryState(
                origin: "import of \(label)", source: configuration.directorySourceName,
                format: result.format.rawValue, services: result.directory.services.count, checkedAt: now,
                changedAt: now, lastAttempt: now, copySource: configuration.directorySourceName)
            var owner: (uid_t, gid_t)?
            if geteuid() == 0 {
                // Run as root: the files belong to whoever owns the state directory (the daemon's user).
                var info = stat()
                if stat(stateDirectory, &info) == 0 { owner = (info.st_uid, info.st_gid) }
            }
            do throws(DirectoryFileError) {
                try DirectoryFiles(stateDirectory: stateDirectory).write(copy: bytes, state: state, owner: owner)
            } catch {
                throw ToolError("\(error.description); nothing was changed")
            }
            print("Stored in \(stateDirectory)/directory: the daemon is not running and uses it when it starts.")
        }
    }

    static func isFeed(_ source: String) -> Bool {
        let lower = source.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    static func format(_ name: String?, configuration: KioskConfiguration?) throws -> DirectoryFormat {
        guard let name else { return configuration?.directoryFormat ?? .auto }
        guard let parsed = DirectoryFormat(name: name) else {
            throw ValidationError("\"\(name)\" is not a directory format; use one of \(DirectoryFormat.names)")
        }
        return parsed
    }

    struct Fetched {
        var document: [UInt8]
        var format: DirectoryFormat
        var pages: Int
        var requests: Int
        var notes: [String]
    }

    /// Fetches a feed as the daemon pulls it (no validators: always the whole feed).
    static func fetch(
        _ source: String, format: DirectoryFormat, configuration: KioskConfiguration?
    ) async throws
        -> Fetched
    {
        guard let url = URL(string: source), url.host != nil else {
            throw ToolError("\"\(source)\" is not a web address like https://directory.example.org/services")
        }
        var logger = Logger(label: "hubkiosk")
        logger.logLevel = .warning
        let fetcher = FeedFetcher(
            timeout: configuration?.directorySource.timeout ?? .seconds(30),
            retryDelays: [.seconds(2), .seconds(5)], logger: logger)
        do {
            let fetched = try await fetcher.fetch(url, format: format)
            guard case .fetched(let document, let detected) = fetched.outcome else {
                throw ToolError("\(source) answered 304 Not Modified to a request that asked for the whole feed")
            }
            return Fetched(
                document: document, format: detected, pages: fetched.pages, requests: fetched.requests,
                notes: fetched.notes)
        } catch let error as FeedError {
            throw ToolError(error.description)
        }
    }

    /// The daemon's directory status, or (stopped) what the state directory and the configuration say.
    static func currentStatus(_ global: GlobalOptions) async throws -> (ControlAPI.DirectoryStatus, Bool) {
        if let client = try await global.runningControl() {
            return (try await client.call("GET", "/directory/status", as: ControlAPI.DirectoryStatus.self), true)
        }
        let configuration = try await global.configuration()
        guard let stateDirectory = await global.resolvedStateDirectory(configuration) else {
            throw ToolError("no state directory: pass --state-dir")
        }
        let setup: KioskSetup
        do {
            setup = try KioskSetup.load(configPath: configuration.file, stateDirectoryFlag: stateDirectory)
        } catch {
            throw ToolError(error.message)
        }
        let state = setup.directoryState
        let formatter = ISO8601DateFormatter()
        var stale = false
        if let days = configuration.directorySource.effectiveStaleAfterDays {
            stale = state.checkedAt.map { Date().timeIntervalSince($0) > Double(days) * 86_400 } ?? true
        }
        return (
            ControlAPI.DirectoryStatus(
                source: configuration.directorySourceName,
                sourceKind: configuration.directorySource.url == nil ? "file" : "feed", inUse: state.origin,
                format: state.format, services: setup.directory.services.count,
                activeServices: setup.directory.services.filter { $0.status == .active }.count,
                checkedAt: state.checkedAt.map(formatter.string), changedAt: state.changedAt.map(formatter.string),
                lastAttempt: state.lastAttempt.map(formatter.string),
                lastError: state.lastError ?? setup.directoryNotice, failures: state.failures,
                heldBack: state.heldBack, stale: stale),
            false
        )
    }
}

func printDirectoryStatus(_ status: ControlAPI.DirectoryStatus, daemonRunning: Bool) {
    print(
        "Directory: \(status.services) services (\(status.activeServices) active) from \(status.inUse)"
            + (daemonRunning ? "" : " (the daemon is NOT running)"))
    if status.inUse != status.source { print("Source: \(status.source) (\(status.sourceKind))") }
    print("Last checked: \(status.checkedAt ?? "never")" + (status.stale ? " — OUT OF DATE" : ""))
    if let changed = status.changedAt { print("Last changed: \(changed)") }
    if let next = status.nextPull { print("Next pull: \(next)") }
    if let held = status.heldBack { print("Held back: \(held)") }
    if let error = status.lastError, error != status.heldBack {
        print("Last problem: \(error)" + (status.failures > 1 ? " (\(status.failures) failures in a row)" : ""))
    }
}
