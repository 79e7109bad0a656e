import Dispatch
import Foundation
import GPIOConformance
import KioskHardware
import Synchronization

// The GPIO conformance suite (Tests/GPIOConformance) as a small program, built beside hubkioskd for each libgpiod
// build (`swift build --product gpio-conformance`) and run by Scripts/vm/checks/10-conformance.sh on a gpio-sim
// chip in the VM, as root:
//
//   gpio-conformance             prints "ok NAME" or "FAIL NAME: what went wrong" per check; exits 1 if one failed
//   gpio-conformance --list      the checks' names, one a line
//   gpio-conformance hold CHIP OFFSET CONSUMER   holds a line until killed (for the busy-line check)

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = Array(CommandLine.arguments.dropFirst())
let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
let checks = GPIOConformance.checks(holder: me)

switch arguments.first {
case "hold":
    guard arguments.count == 4, let offset = Int(arguments[2]) else {
        say("usage: gpio-conformance hold CHIP OFFSET CONSUMER")
        exit(64)
    }
    do {
        try GPIOConformance.hold(chip: arguments[1], offset: offset, consumer: arguments[3])
    } catch {
        say("gpio-conformance hold: \(error)")
        exit(1)
    }
case "--list":
    for check in checks { say(check.name) }
    exit(0)
case nil:
    break
default:
    say("usage: gpio-conformance [--list | hold CHIP OFFSET CONSUMER]")
    exit(64)
}

say(
    "# libgpiod API v\(GPIOChip.apiVersion): \(GPIOChip.kernelDebounce ? "the kernel's" : "the core's software") "
        + "debounce; \(checks.count) checks")
guard GPIOSim.isAvailable else {
    say("FAIL gpio-sim: \(GPIOSim.configfs) is not writable (modprobe gpio-sim, as root)")
    exit(1)
}
// A check that hangs is reported as failed, and the run stops there (the checks after it do not report).
let running = Atomic<Int>(-1)
var failed = 0
for (index, check) in checks.enumerated() {
    running.store(index, ordering: .sequentiallyConsistent)
    say("# \(check.name) …")
    DispatchQueue.global().asyncAfter(deadline: .now() + 30) {
        guard running.load(ordering: .sequentiallyConsistent) == index else { return }
        say("FAIL \(check.name): did not finish within 30 s")
        exit(1)
    }
    do {
        try await check.run()
        say("ok \(check.name)")
    } catch {
        failed += 1
        say("FAIL \(check.name): \(error)")
    }
}
running.store(-1, ordering: .sequentiallyConsistent)
exit(failed == 0 ? 0 : 1)
