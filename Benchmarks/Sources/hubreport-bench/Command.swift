import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A whole command run to its end: wall time, and its peak resident memory (the kernel's high-water mark, the figure
/// `/proc/PID/status` shows as `VmHWM` while it runs), as GNU `time -f %M` reports it: `ru_maxrss` of a child
/// spawned straight from this process would carry this process's own size across `exec`.
struct CommandRun {
    var milliseconds: Double
    var peakKilobytes: Int
    var output: String

    /// Runs `executable` with `arguments`, its standard output in `outputFile` (read back when `keepOutput`), its
    /// standard input from `inputFile` if given. Throws if it fails.
    static func run(
        _ executable: String, _ arguments: [String], outputFile: String, inputFile: String? = nil,
        keepOutput: Bool = false, environment: [String: String] = [:]
    ) throws -> CommandRun {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 0, inputFile ?? "/dev/null", O_RDONLY, 0)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let peakFile = outputFile + ".peak"
        let argv = (["/usr/bin/time", "-f", "%M", "-o", peakFile, executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let clock = ContinuousClock()
        let start = clock.now
        let spawned = posix_spawn(&pid, "/usr/bin/time", &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let elapsed = clock.now - start
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw BenchError("\(executable) \(arguments.joined(separator: " ")) failed (status \(status))")
        }
        let output = keepOutput ? ((try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "") : ""
        let peak = (try? String(contentsOfFile: peakFile, encoding: .utf8)).flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return CommandRun(milliseconds: elapsed.seconds * 1000, peakKilobytes: peak ?? 0, output: output)
    }
}

/// Memory and CPU of a running process, from /proc.
enum ProcessStats {
    static func status(_ pid: Int32, _ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        }
        return nil
    }

    /// User + system CPU time in seconds.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return .nan }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
