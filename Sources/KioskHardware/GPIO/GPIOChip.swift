import CGPIOD
import Foundation
import KioskCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// The one file that calls libgpiod (through the version-neutral shim in CGPIOD), turning NULL/-1 and errno into
// GPIOError.

/// An open GPIO chip (`/dev/gpiochipN`).
public final class GPIOChip: Sendable {
    /// libgpiod objects are not thread-safe: every call holds this lock.
    private let handle: Mutex<OpaquePointer>
    public let path: String
    public let name: String
    public let label: String
    public let lineCount: Int

    /// The libgpiod API this build uses: 1 (libgpiod 1.6) or 2 (libgpiod 2.x).
    public static var apiVersion: Int { Int(hk_gpiod_api_version()) }

    /// Whether the kernel debounces input lines in this build (v2); v1 needs software debounce.
    public static var kernelDebounce: Bool { hk_gpiod_kernel_debounce() == 1 }

    /// Opens the chip at `path`.
    public init(path: String) throws(GPIOError) {
        guard let handle = hk_chip_open(path) else {
            throw GPIOError.chip(path, errno: errno)
        }
        var info = hk_chip_info()
        guard hk_chip_get_info(handle, &info) == 0 else {
            let code = errno
            hk_chip_close(handle)
            throw GPIOError.chip(path, errno: code)
        }
        self.handle = Mutex(handle)
        self.path = path
        self.name = withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        self.label = withUnsafeBytes(of: info.label) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        self.lineCount = Int(info.lines)
    }

    deinit {
        handle.withLock { hk_chip_close($0) }
    }

    /// The offset of the line called `name`, or nil.
    public func offset(ofLineNamed name: String) -> Int? {
        let offset = handle.withLock { hk_chip_find_line($0, name) }
        return offset >= 0 ? Int(offset) : nil
    }

    /// A line's name, and who holds it if anyone does.
    public struct LineInfo: Hashable, Sendable {
        public var offset: Int
        public var name: String
        public var consumer: String
        public var used: Bool
    }

    public func lineInfo(_ offset: Int) throws(GPIOError) -> LineInfo {
        var info = hk_line_info()
        let result =
            offset >= 0 && offset < lineCount
            ? handle.withLock { hk_chip_get_line_info($0, UInt32(offset), &info) } : -1
        guard result == 0 else {
            throw GPIOError(
                code: .noSuchLine, chip: path, line: String(offset), errno: errno,
                message: "line \(offset) is not on \(path) (\(lineCount) lines)")
        }
        return LineInfo(
            offset: offset,
            name: withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) },
            consumer: withUnsafeBytes(of: info.consumer) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) },
            used: info.used != 0)
    }

    /// Every line of the chip (for messages that list them).
    public func lines() -> [LineInfo] {
        (0..<lineCount).compactMap { try? lineInfo($0) }
    }

    /// Input bias.
    public enum Bias: String, Sendable, CaseIterable {
        case asIs = "as-is"
        case pullUp = "pull-up"
        case pullDown = "pull-down"
        case disabled
    }

    /// Requests `offsets` as inputs reporting both edges.
    public func requestInputs(
        _ offsets: [Int],
        consumer: String,
        activeLow: Bool,
        bias: Bias,
        debounce: Duration
    ) throws(GPIOError) -> GPIORequest {
        let biasValue: Int32
        switch bias {
        case .asIs: biasValue = Int32(HK_BIAS_AS_IS)
        case .pullUp: biasValue = Int32(HK_BIAS_PULL_UP)
        case .pullDown: biasValue = Int32(HK_BIAS_PULL_DOWN)
        case .disabled: biasValue = Int32(HK_BIAS_DISABLED)
        }
        let microseconds = UInt(
            max(0, debounce.components.seconds * 1_000_000 + debounce.components.attoseconds / 1_000_000_000_000))
        let lines = offsets.map { UInt32($0) }
        let request = handle.withLock { chip in
            lines.withUnsafeBufferPointer {
                hk_request_inputs(
                    chip, $0.baseAddress, UInt32($0.count), consumer, activeLow ? 1 : 0, biasValue, microseconds)
            }
        }
        guard let request else { throw requestError(offsets, errno: errno) }
        return GPIORequest(request: request, chip: self)
    }

    /// Requests `offsets` as outputs, inactive at first.
    public func requestOutputs(_ offsets: [Int], consumer: String, activeLow: Bool) throws(GPIOError) -> GPIORequest {
        let lines = offsets.map { UInt32($0) }
        let request = handle.withLock { chip in
            lines.withUnsafeBufferPointer {
                hk_request_outputs(chip, $0.baseAddress, UInt32($0.count), consumer, activeLow ? 1 : 0)
            }
        }
        guard let request else { throw requestError(offsets, errno: errno) }
        return GPIORequest(request: request, chip: self)
    }

    private func requestError(_ offsets: [Int], errno code: Int32) -> GPIOError {
        // Name the line that is busy, and who holds it.
        for offset in offsets {
            if let info = try? lineInfo(offset), info.used {
                var error = GPIOError(
                    code: .busy, chip: path, line: info.name.isEmpty ? String(offset) : info.name, errno: code,
                    message: "line \(offset)\(info.name.isEmpty ? "" : " (\(info.name))") on \(path) is in use by "
                        + "\(info.consumer.isEmpty ? "another program" : "\"\(info.consumer)\"")")
                error.offset = offset
                return error
            }
        }
        return GPIOError(
            code: code == EACCES || code == EPERM ? .permission : .io, chip: path,
            line: offsets.map(String.init).joined(separator: ","), errno: code,
            message: "cannot request lines \(offsets) on \(path): \(String(cString: strerror(code)))")
    }
}

/// Lines requested together from one chip.
public final class GPIORequest: Sendable {
    /// libgpiod objects are not thread-safe: every call holds this lock.
    private let request: Mutex<UnsafeMutablePointer<hk_request>>
    public let chip: GPIOChip

    init(request: sending UnsafeMutablePointer<hk_request>, chip: GPIOChip) {
        self.request = Mutex(request)
        self.chip = chip
    }

    deinit {
        request.withLock { hk_request_release($0) }
    }

    /// The descriptors to wait on for edge events.
    public func descriptors() throws(GPIOError) -> [Int32] {
        let fds = request.withLock { request in
            (0..<hk_request_fd_count(request)).map { hk_request_fd(request, $0) }
        }
        return try fds.map { fd throws(GPIOError) in
            guard fd >= 0 else {
                throw GPIOError(code: .io, chip: chip.path, line: nil, errno: errno, message: "no event descriptor")
            }
            return fd
        }
    }

    /// An edge on an input line, with its CLOCK_MONOTONIC time.
    public struct Edge: Hashable, Sendable {
        public var offset: Int
        public var rising: Bool
        public var monotonicNanoseconds: UInt64
    }

    /// Reads the edges waiting on descriptor `index` (after `poll` said it is readable).
    public func readEdges(descriptor index: Int) throws(GPIOError) -> [Edge] {
        var events = [hk_event](repeating: hk_event(), count: 16)
        let count = request.withLock { request in
            events.withUnsafeMutableBufferPointer {
                hk_request_read_events(request, UInt32(index), $0.baseAddress, UInt32($0.count))
            }
        }
        guard count >= 0 else {
            throw GPIOError(code: .io, chip: chip.path, line: nil, errno: errno, message: "reading edge events failed")
        }
        return events.prefix(Int(count)).map {
            Edge(offset: Int($0.offset), rising: $0.rising != 0, monotonicNanoseconds: $0.timestamp_ns)
        }
    }

    /// Drives output line `offset` active or inactive.
    public func set(_ offset: Int, active: Bool) throws(GPIOError) {
        guard request.withLock({ hk_request_set_value($0, UInt32(offset), active ? 1 : 0) }) == 0 else {
            throw GPIOError(
                code: .io, chip: chip.path, line: String(offset), errno: errno, message: "cannot set line \(offset)")
        }
    }
}

extension GPIOChip {
    /// Now on `CLOCK_BOOTTIME`, the kiosk's monotonic clock.
    public static func boottimeNow() -> MonotonicInstant {
        var boot = timespec()
        clock_gettime(CLOCK_BOOTTIME, &boot)
        return MonotonicInstant(nanoseconds: Int64(boot.tv_sec) * 1_000_000_000 + Int64(boot.tv_nsec))
    }

    /// `CLOCK_BOOTTIME` minus `CLOCK_MONOTONIC`, in nanoseconds (how long the board has been suspended): edge
    /// times are monotonic, the kiosk's clock is boot time.
    public static func boottimeOffset() -> Int64 {
        var boot = timespec()
        var mono = timespec()
        clock_gettime(CLOCK_MONOTONIC, &mono)
        clock_gettime(CLOCK_BOOTTIME, &boot)
        return (Int64(boot.tv_sec) - Int64(mono.tv_sec)) * 1_000_000_000 + (Int64(boot.tv_nsec) - Int64(mono.tv_nsec))
    }
}
