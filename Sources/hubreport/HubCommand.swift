import ArgumentParser
import Foundation
import HubReport
import HubReportAPI
import KioskCore

/// `hubreport hub add|list|revoke`.
struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "Add, list and revoke the partnership's hubs.",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a hub (or give an existing one a new code) and print its one-time enrolment code.",
            discussion: """
                The code is valid for 24 hours and enrols one kiosk once: on the kiosk, `hubkiosk sync enrol URL \
                CODE` (POST /v1/enrol). Only its SHA-256 is stored. A new code for an existing hub replaces its unused ones; enrolling with it \
                replaces the hub's key (a new kiosk) and lifts a revocation.
                """)

        @OptionGroup var options: CommonOptions
        @Argument(help: "The hub id: 1–64 characters of a-z, 0-9, - and _ (the kiosk's [hub] id).") var id: String
        @Option(name: .long, help: "The hub's name, as exports show it.") var name: String
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingFailures {
                let configuration = try options.loadConfiguration()
                try await options.withStore(configuration) { store, _ in
                    let code = EnrolmentCode.make()
                    let now = Int64(Date().timeIntervalSince1970)
                    let hub = try await store.addHub(
                        id: id, name: name, codeHash: EnrolmentCode.hash(code), now: now,
                        expiresAt: now + EnrolmentCode.lifetime)
                    let expires = timestamp(now + EnrolmentCode.lifetime)
                    if json {
                        try printJSON(AddOutput(hubID: hub.id, name: hub.name, code: code, expiresAt: expires))
                    } else {
                        print("hub \(hub.id) (\(hub.name)): enrolment code \(code), valid until \(expires)")
                        print("on the kiosk: hubkiosk sync enrol URL \(code) [--pin sha256/… | --ca FILE]")
                    }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the hubs: state, last sync, kiosk version, printer state, backlog, unknown need codes.")

        @OptionGroup var options: CommonOptions
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingFailures {
                let configuration = try options.loadConfiguration()
                try await options.withStore(configuration) { store, _ in
                    let hubs = try await store.hubs().map { HubOutput($0, partnership: configuration.partnership) }
                    if json {
                        try printJSON(hubs)
                        return
                    }
                    guard !hubs.isEmpty else {
                        print("no hubs yet: add one with `hubreport hub add ID --name NAME`")
                        return
                    }
                    let rows =
                        [["hub", "state", "last sync", "kiosk", "printer", "backlog", "unknown needs", "name"]]
                        + hubs.map {
                            [
                                $0.id, $0.state, $0.lastSync ?? "never", $0.kioskVersion ?? "-", $0.printer ?? "-",
                                $0.backlog.map(String.init) ?? "-", $0.unknownNeeds.joined(separator: ","), $0.name,
                            ]
                        }
                    let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
                    for row in rows {
                        print(
                            zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }
                                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
                    }
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a hub: its kiosk's signatures are refused from now on; its tallies stay.")

        @OptionGroup var options: CommonOptions
        @Argument(help: "The hub id.") var id: String

        func run() async throws {
            try await reportingFailures {
                let configuration = try options.loadConfiguration()
                try await options.withStore(configuration) { store, _ in
                    guard let hub = try await store.revokeHub(id: id, now: Int64(Date().timeIntervalSince1970)) else {
                        throw ToolFailure(message: "no hub \"\(id)\"; `hubreport hub list` shows them", exitCode: 64)
                    }
                    print("hub \(hub.id) revoked; to enrol a kiosk for it again: hubreport hub add \(hub.id) --name …")
                }
            }
        }
    }
}

struct AddOutput: Encodable {
    var hubID: String
    var name: String
    var code: String
    var expiresAt: String

    enum CodingKeys: String, CodingKey {
        case hubID = "hub_id"
        case name, code
        case expiresAt = "expires_at"
    }
}

/// One hub as `hub list` shows it.
struct HubOutput: Encodable {
    var id: String
    var name: String
    var state: String
    var lastSync: String?
    var kioskVersion: String?
    var printer: String?
    var openAlerts: [String]
    var backlog: Int?
    var granularity: String?
    /// Need codes the hub sent that the partnership does not list (kept, shown apart in exports).
    var unknownNeeds: [String]

    init(_ hub: HubRecord, partnership: Partnership) {
        id = hub.id
        name = hub.name
        state = hub.state.rawValue
        lastSync = hub.lastSyncAt.map(timestamp)
        kioskVersion = hub.health?.version ?? hub.kioskVersion
        printer = hub.health?.printer.rawValue
        openAlerts = hub.health?.openAlerts.map(\.rawValue) ?? []
        backlog = hub.health?.backlog
        granularity = hub.granularity?.rawValue
        unknownNeeds = partnership.unknown(hub.needCodes).map(\.rawValue)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, state
        case lastSync = "last_sync"
        case kioskVersion = "kiosk_version"
        case printer
        case openAlerts = "open_alerts"
        case backlog, granularity
        case unknownNeeds = "unknown_needs"
    }
}

/// `2026-12-01T12:00:00Z`.
func timestamp(_ seconds: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
