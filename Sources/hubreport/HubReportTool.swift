import ArgumentParser

/// `hubreport`: the partnership's reporting service and its administration.
@main
struct HubReportTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hubreport",
        abstract: "The partnership's reporting service that HubKiosk kiosks sync their tallies to.",
        discussion: """
            Every subcommand takes --config FILE and --database PATH-or-URL: an SQLite file (the default: \
            [service] database, then $STATE_DIRECTORY/hubreport.sqlite, then ./hubreport.sqlite) or PostgreSQL as \
            postgres://USER@HOST:PORT/DATABASE. `hubreport serve` with neither runs the built-in example partnership \
            on ./hubreport.sqlite, listening on 127.0.0.1:8470.
            """,
        version: "hubreport \(HubReportTool.version)",
        subcommands: [ServeCommand.self, HubCommand.self, UserCommand.self, ExportCommand.self, TLSCommand.self])

    static let version = "0.1.0"
}
