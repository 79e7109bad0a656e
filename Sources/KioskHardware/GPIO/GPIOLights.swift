import KioskCore
import Logging
import Synchronization

/// The kiosk's lights on GPIO output lines: an LED per button and the staff-alert LED or buzzer. Blinking runs a
/// task per light only while that light blinks; steady lights cost nothing.
public final class GPIOLights: Indicator {
    /// What is on the staff-alert line.
    public enum AlertDevice: String, Sendable, CaseIterable {
        case led
        /// A buzzer sounds each pattern three times, then stays quiet until the pattern changes.
        case buzzer
    }

    public struct Output: Sendable {
        public var request: GPIORequest
        public var offset: Int

        public init(request: GPIORequest, offset: Int) {
            self.request = request
            self.offset = offset
        }
    }

    private let outputs: [LightID: Output]
    private let alertDevice: AlertDevice
    private let logger: Logger
    private let blinkers = Mutex<[LightID: Task<Void, Never>]>([:])

    public init(outputs: [LightID: Output], alertDevice: AlertDevice, logger: Logger) {
        self.outputs = outputs
        self.alertDevice = alertDevice
        self.logger = logger
    }

    public func set(_ light: LightID, to pattern: LightPattern) async throws {
        guard let output = outputs[light] else { return }
        blinkers.withLock { $0.removeValue(forKey: light)?.cancel() }
        let timeline = LightPatternTimeline(pattern)
        guard let cycle = timeline.cycle else {
            try output.request.set(output.offset, active: timeline.steady)
            return
        }
        let repeats = light == .staffAlert && alertDevice == .buzzer ? 3 : nil
        let logger = logger
        let task = Task {
            var round = 0
            while !Task.isCancelled {
                if let repeats, round >= repeats { break }
                for step in cycle {
                    do {
                        try output.request.set(output.offset, active: step.on)
                        try await Task.sleep(for: step.duration)
                    } catch is CancellationError {
                        return
                    } catch {
                        logger.warning("light \(light): \(error)")
                        return
                    }
                }
                round += 1
            }
            try? output.request.set(output.offset, active: timeline.steady)
        }
        blinkers.withLock { $0[light] = task }
    }

    /// Turns every light off and stops blinking.
    public func allOff() {
        blinkers.withLock { blinkers in
            for task in blinkers.values { task.cancel() }
            blinkers.removeAll()
        }
        for output in outputs.values { try? output.request.set(output.offset, active: false) }
    }
}
