import ESCPOS
import KioskConfig
import KioskCore
import KioskHardware
import Logging

/// The board's hardware, built from the configuration: buttons and LEDs on GPIO lines, and the printer.
public struct BoardBackend: Sendable {
    public let buttons: GPIOButtons
    public let lights: GPIOLights
    public let printer: BoardPrinter

    /// Finds every configured line and requests it. A line that does not exist or is busy stops start-up with a
    /// message naming the configuration key, the chip and the line, and listing the lines the chip has.
    public static func make(configuration: KioskConfiguration, logger: Logger) throws(StartupError) -> BoardBackend {
        let board = configuration.board
        func fail(_ error: GPIOError) -> StartupError {
            StartupError(
                message: "\(configuration.file): \(error.description)\nRun `hubkiosk doctor` to check the wiring.",
                exitCode: 69)
        }
        func resolve(_ spec: GPIOLineSpec, key: String) throws(StartupError) -> ResolvedLine {
            do {
                return try GPIOLineResolver.resolve(spec, defaultChip: board.chip, key: key)
            } catch {
                throw fail(error)
            }
        }

        // Buttons: one input request per chip.
        var inputs: [String: [(offset: Int, button: ButtonID)]] = [:]
        var outputs: [String: [(offset: Int, light: LightID)]] = [:]
        // Which configuration key named each line, for messages about a busy line.
        var keys: [String: [Int: String]] = [:]
        for (index, button) in configuration.layout.buttons.enumerated() {
            let wiring = configuration.wiring[button.id]
            guard let lineSpec = wiring?.line else {
                throw StartupError(
                    message: "\(configuration.file): [[buttons]] #\(index + 1) line: the board backend needs the "
                        + "button's GPIO line, like line = \"GPIO17\"",
                    exitCode: 78)
            }
            let line = try resolve(lineSpec, key: "[[buttons]] #\(index + 1) line")
            inputs[line.chipPath, default: []].append((line.offset, button.id))
            keys[line.chipPath, default: [:]][line.offset] = "[[buttons]] #\(index + 1) line"
            if let ledSpec = wiring?.led {
                let led = try resolve(ledSpec, key: "[[buttons]] #\(index + 1) led")
                outputs[led.chipPath, default: []].append((led.offset, .button(button.id)))
                keys[led.chipPath, default: [:]][led.offset] = "[[buttons]] #\(index + 1) led"
            }
        }
        if let alertSpec = board.staffAlert {
            let alert = try resolve(alertSpec, key: "[board] staff_alert")
            outputs[alert.chipPath, default: []].append((alert.offset, .staffAlert))
            keys[alert.chipPath, default: [:]][alert.offset] = "[board] staff_alert"
        }
        let bias = GPIOChip.Bias(rawValue: board.bias) ?? .pullUp
        var requests: [GPIORequest] = []
        var lines: [ButtonEdgeMapper.Line: ButtonID] = [:]
        var lights: [LightID: GPIOLights.Output] = [:]
        do {
            for (path, entries) in inputs.sorted(by: { $0.key < $1.key }) {
                let chip = try GPIOChip(path: path)
                requests.append(
                    try chip.requestInputs(
                        entries.map(\.offset), consumer: "hubkioskd", activeLow: board.activeLow, bias: bias,
                        debounce: GPIOChip.kernelDebounce ? configuration.rules.debounce : .zero))
                for entry in entries { lines[.init(chip: path, offset: entry.offset)] = entry.button }
            }
            for (path, entries) in outputs.sorted(by: { $0.key < $1.key }) {
                let chip = try GPIOChip(path: path)
                let request = try chip.requestOutputs(
                    entries.map(\.offset), consumer: "hubkioskd", activeLow: board.ledActiveLow)
                for entry in entries { lights[entry.light] = .init(request: request, offset: entry.offset) }
            }
        } catch {
            var error = error
            if error.key == nil, let offset = error.offset { error.key = keys[error.chip]?[offset] }
            throw fail(error)
        }
        // libgpiod 1.6 has no kernel debounce: debounce in software.
        let mapper = ButtonEdgeMapper(
            buttons: lines, debounce: GPIOChip.kernelDebounce ? .zero : configuration.rules.debounce,
            boottimeOffset: GPIOChip.boottimeOffset())
        let buttons: GPIOButtons
        do {
            buttons = try GPIOButtons(requests: requests, mapper: mapper, logger: logger)
        } catch {
            throw StartupError(message: "cannot start the button thread: \(error)", exitCode: 71)
        }
        logger.info(
            "GPIO ready",
            metadata: ["libgpiod": "v\(GPIOChip.apiVersion)", "buttons": "\(lines.count)", "lights": "\(lights.count)"])
        return BoardBackend(
            buttons: buttons,
            lights: GPIOLights(
                outputs: lights, alertDevice: GPIOLights.AlertDevice(rawValue: board.staffAlertDevice) ?? .led,
                logger: logger),
            printer: makePrinter(configuration: configuration, logger: logger))
    }

    /// The printer on its configured link.
    public static func makePrinter(configuration: KioskConfiguration, logger: Logger) -> BoardPrinter {
        let link = configuration.printerLink
        let profile = configuration.printerProfile
        let transport: any PrinterTransport
        var throughput = 4000
        switch link.device ?? .usbLinePrinter(path: "/dev/usb/lp0") {
        case .usbLinePrinter(let path):
            transport = USBLinePrinterTransport(path: path)
        case .serial(let path):
            let baud = link.baud ?? (profile.id == PrinterProfile.csnA2.id ? 19200 : 115_200)
            let flow = Posix.FlowControl(rawValue: link.flowControl) ?? .none
            var throttle: SerialThrottle?
            if flow == .none {
                // A printer without flow control loses bytes sent faster than it prints.
                let rate = link.throttleBytesPerSecond ?? (profile.id == PrinterProfile.csnA2.id ? 1200 : baud / 10)
                if rate > 0 { throttle = SerialThrottle(bytesPerSecond: rate, lineFeedPause: .milliseconds(15)) }
                throughput = max(100, rate / 2)
            }
            transport = SerialTransport(path: path, baud: baud, flow: flow, throttle: throttle)
        case .tcp(let host, let port):
            transport = TCPTransport(host: host, port: port)
        }
        return BoardPrinter(transport: transport, throughput: throughput, logger: logger)
    }

    /// Stops the button thread, turns the lights off and closes the printer.
    public func stop() {
        buttons.stop()
        lights.allOff()
        printer.stop()
    }
}
