import ArgumentParser
import Foundation
import KioskCore
import KioskStore

import struct KioskTestSupport.SplitMix64

/// A year of a busy hub (100,000 visits) exported by week, beside the same GROUP BY run by the `sqlite3` tool on
/// the same file. Both are timed as whole commands, as a coordinator runs them.
struct ExportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a year of 100,000 visits by week, beside sqlite3.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Visits in the year.")
    var visits = 100_000

    @Option(help: "Runs of each command (the median is reported).")
    var runs = 21

    @Option(help: "The hubkiosk tool to time.")
    var tool = ".build/release/hubkiosk"

    @Flag(help: "Keep the generated database (its path is printed).")
    var keep = false

    func run() async throws {
        let directory = URL(fileURLWithPath: common.dir).appendingPathComponent("export-\(getpid())")
            .standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        let path = directory + "/hubkiosk.sqlite"
        let zone = HubTimeZone.london
        let generated = try Self.fill(path: path, zone: zone, visits: visits)
        print(
            "Generated \(visits) visits, \(generated.presses) presses, \(generated.needs) visit needs in \(f(generated.seconds, 1)) s"
        )

        let configuration = URL(fileURLWithPath: common.config).standardizedFileURL.path
        let sql =
            [KioskDatabase.visitTallySQL, KioskDatabase.needTallySQL].map {
                $0.replacingOccurrences(of: "?1", with: "-2147483648").replacingOccurrences(
                    of: "?2", with: "2147483647")
            }.joined(separator: ";\n") + ";"
        var exportTimes: [Double] = []
        var sqliteTimes: [Double] = []
        var inProcess: [Double] = []
        var exportOutput = ""
        let database = try KioskDatabase.openReadOnly(path: path)
        for _ in 0..<runs {
            let (exportTime, output) = try time(
                tool,
                ["export", "--config", configuration, "--state-dir", directory, "--by", "week", "--format", "csv"])
            exportTimes.append(exportTime)
            exportOutput = output
            sqliteTimes.append(try time("/usr/bin/sqlite3", [path, sql]).0)
            let clock = ContinuousClock()
            let start = clock.now
            _ = try database.tallyReport(hubID: "bench", needs: [], grouping: .week).csv(suppress: false)
            inProcess.append((clock.now - start).milliseconds)
        }
        let rows = exportOutput.split(separator: "\r\n").count
        let export = Summary(milliseconds: exportTimes)
        let reference = Summary(milliseconds: sqliteTimes)
        print("Export by week of \(visits) visits (\(rows - 2) weeks), \(runs) runs each, whole commands")
        print(Summary.header)
        print(reference.row("sqlite3 tool, the same two GROUP BY queries (per day)"))
        print(export.row("hubkiosk export --by week --format csv"))
        print(Summary(milliseconds: inProcess).row("(in process: tallyReport + CSV)"))
        print("median ratio: \(f(export.p50 / reference.p50, 2))× (target ≤ 2×)")
        if keep { print("database kept: \(path)") }
    }

    /// Runs a command to completion; returns its wall time in milliseconds and its output.
    private func time(_ executable: String, _ arguments: [String]) throws -> (Double, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = (clock.now - start).milliseconds
        guard process.terminationStatus == 0 else { throw BenchError("\(executable) failed") }
        return (elapsed, String(decoding: data, as: UTF8.self))
    }

    /// A year of visits: busier on weekdays, 1–3 needs each, a few presses each, some flagged.
    static func fill(path: String, zone: HubTimeZone, visits: Int) throws -> (presses: Int, needs: Int, seconds: Double)
    {
        let started = Date()
        let database = try KioskDatabase(path: path)
        var random = SplitMix64(seed: 42)
        let needs: [NeedCode] = ["money", "food", "housing", "wellbeing", "social", "caring", "work", "talk"]
        let firstDay = zone.instant(of: LocalDate(year: 2025, month: 12, day: 1)!, at: LocalTime(hour: 0, minute: 0)!)
        var presses = 0
        var needCount = 0
        var batch: [KioskRecord] = []
        var mono = MonotonicInstant(nanoseconds: 1_000_000_000)
        for index in 0..<visits {
            let seconds = Double(index) / Double(visits) * 365 * 86_400
            // Opening hours only: squeeze the day into 09:00-17:00.
            let day = (seconds / 86_400).rounded(.down)
            let within = (seconds - day * 86_400) / 86_400 * 8 * 3600 + 9 * 3600
            let date = firstDay.addingTimeInterval(day * 86_400 + within)
            let wall = WallClockReading(date: date, synchronized: true)
            let local = zone.local(of: date)
            let visit = UUID()
            mono = mono + .seconds(30)
            batch.append(
                .visitStarted(
                    VisitEntry(
                        id: visit, startedAt: wall, startedMonotonic: mono, bootID: "bench", localDay: local.date,
                        localHour: local.time.hour)))
            let count = Int(random.next() % 3) + 1
            var chosen: [NeedCode] = []
            while chosen.count < count {
                let need = needs[Int(random.next() % UInt64(needs.count))]
                if !chosen.contains(need) { chosen.append(need) }
            }
            for (i, need) in chosen.enumerated() {
                batch.append(
                    .press(
                        PressEntry(
                            id: UUID(), button: ButtonID(need.rawValue), need: need, at: wall, monotonic: mono,
                            bootID: "bench", flags: [], visitID: visit, countsVisit: i == 0, countsNeed: true)))
                presses += 1
                needCount += 1
            }
            if random.next() % 10 == 0 {
                batch.append(
                    .press(
                        PressEntry(
                            id: UUID(), button: "food", need: "food", at: wall, monotonic: mono, bootID: "bench",
                            flags: [.burst], visitID: visit, countsVisit: false, countsNeed: false)))
                presses += 1
            }
            if batch.count > 5_000 {
                try database.commitSync(batch, timeZone: zone)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try database.commitSync(batch, timeZone: zone)
        try database.close()
        return (presses, needCount, Date().timeIntervalSince(started))
    }
}
