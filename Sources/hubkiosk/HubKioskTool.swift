import ArgumentParser

/// The HubKiosk tool for staff and coordinators.
@main
struct HubKioskTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hubkiosk",
        abstract: "Staff and coordinator tool for a HubKiosk check-in kiosk.",
        discussion: """
            Commands that need the running daemon find it by its control socket; the others read the \
            configuration, the directory or the database directly. --config and --state-dir may come before the \
            command (hubkiosk --state-dir DIR status) or after it.
            """,
        subcommands: [
            StatusCommand.self, ExportCommand.self, SlipCommand.self, DirectoryCommand.self, SimCommand.self,
            AlertsCommand.self, DoctorCommand.self, SyncCommand.self, WebCommand.self,
        ])

    static func main() async {
        do {
            var command = try parseAsRoot(Self.globalOptionsLast(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// The options every command takes, with a value.
    static let globalOptions = ["--config", "--state-dir"]

    /// `arguments` with the global options (and their values) moved after the command words, so that
    /// `hubkiosk --state-dir DIR sim press food` reads as `hubkiosk sim press food --state-dir DIR`. Nothing after
    /// a `--` is touched; a global option given without its value is left where it is (the parser says so).
    static func globalOptionsLast(_ arguments: [String]) -> [String] {
        var rest: [String] = []
        var moved: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { return rest + moved + arguments[index...] }
            if globalOptions.contains(where: { argument.hasPrefix($0 + "=") }) {
                moved.append(argument)
            } else if globalOptions.contains(argument), index + 1 < arguments.count {
                moved.append(contentsOf: [argument, arguments[index + 1]])
                index += 1
            } else {
                rest.append(argument)
            }
            index += 1
        }
        return rest + moved
    }
}

/// A failure the tool explains and exits 1 on.
struct ToolError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
