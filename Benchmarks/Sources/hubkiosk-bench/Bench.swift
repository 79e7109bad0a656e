import ArgumentParser
import Foundation

/// Benchmarks for HubKiosk, run by hand on a release build (`Benchmarks/run.sh`). Every figure is printed beside
/// the reference it is measured against in the same run: these machines are noisy, so ratios count.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hubkiosk-bench",
        abstract: "Measure press latency, daemon memory and idle CPU, and export speed.",
        subcommands: [
            LatencyBenchmark.self, DaemonBenchmark.self, ExportBenchmark.self, SlipBenchmark.self,
            StorageBenchmark.self, SyncBenchmark.self, PagesBenchmark.self, IdleReference.self,
        ])
}

/// Options every benchmark shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Folder for the benchmark's databases (on the disk being measured).")
    var dir = ".bench-state"

    @Option(help: "The kiosk configuration to start from.")
    var config = "Simulator/kiosk.toml"
}

/// The memory reference: a Swift process that loads Foundation, uses a time zone and JSON like the daemon, then
/// waits. Its RSS is what any Swift daemon on this toolchain starts from.
struct IdleReference: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "idle-reference", shouldDisplay: false)

    @Option var seconds = 30

    func run() throws {
        let zone = TimeZone(identifier: "Europe/London")!
        let json = try JSONSerialization.data(withJSONObject: ["offset": zone.secondsFromGMT(for: Date())])
        FileHandle.standardOutput.write(json)
        sleep(UInt32(seconds))
    }
}
