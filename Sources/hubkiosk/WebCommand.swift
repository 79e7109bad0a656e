import ArgumentParser
import KioskControl

struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web", abstract: "The staff pages: print a new one-time setup code.",
        discussion: """
            `hubkiosk web setup-code` asks the running daemon for a new setup code and prints it on the kiosk's \
            printer, with the address of the setup page and the fingerprint of the pages' certificate. The code sets \
            a password for a new person or one who forgot theirs; it works once, within 30 minutes, and replaces \
            any earlier code. Where the printer cannot print it, the code is in the daemon's log only.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "setup-code")
    var action: String

    func run() async throws {
        guard action == "setup-code" else { throw ValidationError("the only action is `setup-code`") }
        let answer = try await global.control().call(
            "POST", "/web/setup-code", as: ControlAPI.WebSetupResponse.self)
        if answer.printed == "printed" {
            print("A new setup code is printing on the kiosk's printer (valid \(answer.expiresInMinutes) minutes).")
        } else {
            print("The setup code could not be printed (\(answer.printed)); it is in the daemon's log.")
        }
        for url in answer.setupURLs { print("Type it at \(url)") }
        if let fingerprint = answer.fingerprint { print("Certificate SHA-256 fingerprint: \(fingerprint)") }
    }
}
