import Foundation

extension ServiceBenchmark {
    /// The two GROUP BY queries `hubreport export` runs (every hub, hour buckets summed per hub and day), for the
    /// engine's own command-line tool.
    static let groupBySQL = """
        SELECT hub_id, day, -1 AS hour, MAX(revision) AS revision, SUM(visits) AS visits,
               SUM(slips_printed) AS slips_printed, SUM(slips_not_printed) AS slips_not_printed
        FROM bucket GROUP BY hub_id, day ORDER BY hub_id, day, hour;
        SELECT hub_id, day, -1 AS hour, need, SUM(visits) AS visits FROM bucket_need GROUP BY hub_id, day, need;
        """

    /// `hubreport export --by week --format csv` of every hub (suppressed, and `--exact`) beside the same GROUP BY in
    /// `sqlite3` or `psql`, interleaved, whole commands with their output written to a file.
    func exportBenchmark(_ location: Location, hubreport: String, directory: String) throws {
        let output = directory + "/export.out"
        let reference: (String, [String])
        let referenceName: String
        if let path = location.sqlitePath {
            reference = ("/usr/bin/sqlite3", [path, ServiceBenchmark.groupBySQL])
            referenceName = "`sqlite3`, the same two GROUP BY queries"
        } else {
            let file = directory + "/group-by.sql"
            try Data(("SET search_path TO \(location.schema!);\n" + ServiceBenchmark.groupBySQL).utf8)
                .write(to: URL(fileURLWithPath: file))
            let psql = try psql
            reference = (psql[0], Array(psql.dropFirst()) + ["-X", "-q", "-A", "-t", "-f", file])
            referenceName = "`psql`, the same two GROUP BY queries"
        }
        let export = ["export", "--database", location.text, "--by", "week", "--format", "csv"]
        var times: [String: Runs] = [:]
        var peaks: [String: Runs] = [:]
        var rows = 0
        let commands: [(String, String, [String])] = [
            (referenceName, reference.0, reference.1),
            ("`hubreport export --by week --format csv` (suppressed)", hubreport, export),
            ("`hubreport export --by week --format csv --exact`", hubreport, export + ["--exact"]),
        ]
        for run in 0..<exportRuns {
            for (name, executable, arguments) in commands {
                let result = try CommandRun.run(
                    executable, arguments, outputFile: output, keepOutput: run == 0 && executable == hubreport)
                if run == 0 && executable == hubreport { rows = result.output.split(separator: "\r\n").count }
                times[name, default: Runs(values: [])].values.append(result.milliseconds)
                peaks[name, default: Runs(values: [])].values.append(Double(result.peakKilobytes) / 1024)
            }
        }
        print()
        print("### Export of every hub by week (\(engine.rawValue), \(rows) CSV lines, \(exportRuns) runs each)")
        print()
        print("| what | p50 ms | max ms | peak RSS MB (p50) |")
        print("|---|---:|---:|---:|")
        for (name, _, _) in commands {
            let time = times[name]!
            print("| \(name) | \(f(time.p50)) | \(f(time.max)) | \(f(peaks[name]!.p50)) |")
        }
        let base = times[commands[0].0]!.p50
        print()
        print(
            "median ratio to the GROUP BY: suppressed \(f(times[commands[1].0]!.p50 / base, 2))×, "
                + "exact \(f(times[commands[2].0]!.p50 / base, 2))×")
    }
}
