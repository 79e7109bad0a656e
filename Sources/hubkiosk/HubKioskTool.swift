import ArgumentParser

/// The HubKiosk tool for staff and coordinators.
@main
struct HubKioskTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hubkiosk",
        abstract: "Staff and coordinator tool for a HubKiosk check-in kiosk.",
        discussion: """
            Commands that need the running daemon find it by its control socket; the others read the \
            configuration, the directory or the database directly.
            """,
        subcommands: [
            StatusCommand.self, ExportCommand.self, SlipCommand.self, DirectoryCommand.self, SimCommand.self,
            AlertsCommand.self, DoctorCommand.self,
        ])
}

/// A failure the tool explains and exits 1 on.
struct ToolError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
