import ArgumentParser
import Foundation
import HubReport

extension ReportRole: ExpressibleByArgument {}

/// `hubreport user add|list`: the people who sign in to the pages.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add and list the people who sign in to the pages (coordinators, viewers).",
        subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user (or reset an existing one's password) and print a one-time setup code.",
            discussion: """
                The code is valid for 30 minutes and once: on the service's /setup page the person types it and \
                chooses a password (bcrypt, cost 12). Only its SHA-256 is stored. For an existing user, a new code \
                replaces the unused ones and sets the role; the old password works until the code is used.
                Roles: coordinator (every page, exact exports (logged), enrolling hubs) and viewer (the pages and \
                suppressed exports only).
                """)

        @OptionGroup var options: CommonOptions
        @Argument(help: "The name to sign in with: 1–64 letters, digits and . - _ @.") var name: String
        @Option(
            name: .long,
            help: ArgumentHelp(
                "coordinator or viewer.", valueName: ReportRole.allCases.map(\.rawValue).joined(separator: "|")))
        var role: ReportRole
        @Option(
            name: .long,
            help: ArgumentHelp(
                "The pages' address, for the message (default: from [service] listen).", valueName: "URL"))
        var url: String?

        func validate() throws {
            if let problem = ReportUser.problem(withName: name) {
                throw ValidationError("NAME \"\(name)\": \(problem)")
            }
        }

        func run() async throws {
            try await reportingFailures {
                let configuration = try options.loadConfiguration()
                try await options.withStore(configuration) { store, _ in
                    let code = SetupCode.make()
                    let now = Int64(Date().timeIntervalSince1970)
                    let (user, created) = try await store.issueSetupCode(
                        user: name, role: role, codeHash: SetupCode.hash(code), now: now,
                        expiresAt: now + SetupCode.lifetime)
                    let scheme = configuration.tlsCertificate == nil ? "http" : "https"
                    let base =
                        url ?? "\(scheme)://\(configuration.settings.host):\(configuration.settings.port)"
                    print(
                        created
                            ? "user \(user.name) (\(user.role.rawValue)) added"
                            : "user \(user.name) (\(user.role.rawValue)): new setup code (password reset)")
                    print("one-time setup code: \(code) (valid for 30 minutes, once)")
                    print("set the password at \(base.trimmingCharacters(in: ["/"]))/setup")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the users, their roles and whether a password is set.")

        @OptionGroup var options: CommonOptions

        func run() async throws {
            try await reportingFailures {
                let configuration = try options.loadConfiguration()
                try await options.withStore(configuration) { store, _ in
                    let users = try await store.users()
                    guard !users.isEmpty else {
                        print("no users yet: add one with `hubreport user add NAME --role coordinator`")
                        return
                    }
                    let rows =
                        [["user", "role", "password"]]
                        + users.map {
                            [$0.name, $0.role.rawValue, $0.passwordHash == nil ? "not set (setup code)" : "set"]
                        }
                    let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
                    for row in rows {
                        print(
                            zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }
                                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
                    }
                }
            }
        }
    }
}
