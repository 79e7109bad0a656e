import Foundation
import Testing

/// `hubkiosk directory check` over the fixtures of each format: every problem, then the summary.
@Suite("hubkiosk directory check")
struct DirectoryCheckTests {
    static func fixture(_ name: String) -> String {
        Repository.root.appendingPathComponent("Tests/Fixtures/directories/\(name)").path
    }

    @Test("an ALISS file: the format, services read, per need, unreached services and unmapped terms")
    func alissSummary() async throws {
        let file = Self.fixture("aliss-v4.json")
        let run = try await ToolRun.run(
            "hubkiosk", ["directory", "check", "--config", Repository.exampleConfig, file])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("\(file): ALISS format, 3 services read (3 active), 0 errors"), "\(run.stdout)")
        #expect(run.stdout.contains("  food: 1 active services"), "\(run.stdout)")
        #expect(run.stdout.contains("  money: 1 active services"), "\(run.stdout)")
        // The example configuration maps "community-meal", not "food", to the food need.
        #expect(run.stdout.contains("feed terms no need maps: food (1), walking (1)"), "\(run.stdout)")
    }

    @Test("--format overrides detection, and an unknown one is refused")
    func formatOption() async throws {
        let file = Self.fixture("oruk1-paginated.json")
        let run = try await ToolRun.run("hubkiosk", ["directory", "check", "--no-config", "--format", "oruk1", file])
        #expect(run.status == 1, "\(run.stdout)")
        #expect(run.stdout.contains("ORUK v1 format, 2 services read"), "\(run.stdout)")
        #expect(
            run.stdout.contains("error: service \"v1-work\", regular_schedules[0].weekday: 8 is not"), "\(run.stdout)")
        let bad = try await ToolRun.run("hubkiosk", ["directory", "check", "--no-config", "--format", "csv", file])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("not a directory format"), "\(bad.stderr)")
    }

    @Test("services no need reaches are named")
    func unreached() async throws {
        let file = Self.fixture("oruk3-taxonomy-forms.json")
        let run = try await ToolRun.run(
            "hubkiosk", ["directory", "check", "--config", Repository.exampleConfig, file])
        let unreached = "no need reaches 2 active services: tax-string, tax-term-unmapped"
        #expect(run.stdout.contains(unreached), "\(run.stdout)")
        #expect(run.stdout.contains("feed terms no need maps: food (1), legal-aid (1)"), "\(run.stdout)")
    }
}
