import Foundation
import GPIOConformance
import Testing

/// The GPIO conformance suite (Tests/GPIOConformance) on the kernel's gpio-sim, where the module is loaded and this
/// runs as root; skipped without it. In CI the `gpio-conformance` runner runs the same checks in a VM, for both
/// libgpiod builds (Scripts/vm/checks/10-conformance.sh).
@Suite("GPIO on gpio-sim", .enabled(if: GPIOSim.isAvailable), .serialized, .timeLimit(.minutes(1)))
struct GPIOSimConformance {
    /// The runner built beside this test bundle holds the line in the busy-line check; without it, this process does.
    static var holder: String? {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("gpio-conformance").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    @Test("Conformance", arguments: GPIOConformance.checks(holder: holder))
    func conformance(_ check: GPIOConformanceCheck) async throws {
        try await check.run()
    }
}
