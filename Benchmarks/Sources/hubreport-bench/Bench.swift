import ArgumentParser
import Foundation

/// Benchmarks for `hubreport`, run by hand on a release build (`Benchmarks/run.sh service`). Every figure is printed
/// beside the reference it is measured against in the same run: these machines are noisy, so ratios count.
@main
struct ReportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hubreport-bench",
        abstract: "Measure hubreport's ingest through its HTTP API, its export and its memory.",
        subcommands: [ServiceBenchmark.self])
}

struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

/// `12,345`.
func grouped(_ value: Int) -> String {
    let digits = String(value)
    var out = ""
    for (index, character) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
        out.append(character)
    }
    return out
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Percentiles of a few whole-command runs, in milliseconds.
struct Runs {
    var values: [Double]

    var p50: Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted[(sorted.count - 1) / 2]
    }

    var max: Double { values.max() ?? .nan }
}
