/// Where the printer is, as the configuration names it.
public enum PrinterDevice: Hashable, Sendable, CustomStringConvertible {
    /// A USB printer class device, `/dev/usb/lp0`.
    case usbLinePrinter(path: String)
    /// A serial line, `/dev/ttyUSB0`, `/dev/serial0`.
    case serial(path: String)
    /// A network printer's raw port, `tcp://192.168.1.50:9100`.
    case tcp(host: String, port: Int)

    /// Parses a device name; nil when it is none of the forms above.
    public init?(_ text: String) {
        if text.hasPrefix("tcp://") {
            let rest = text.dropFirst(6)
            var host = Substring(rest)
            var port = 9100
            if host.hasPrefix("[") {
                // [v6 address]:port
                guard let close = host.firstIndex(of: "]") else { return nil }
                let after = host[host.index(after: close)...]
                host = host[host.index(after: host.startIndex)..<close]
                if after.hasPrefix(":") {
                    guard let value = Int(after.dropFirst()) else { return nil }
                    port = value
                }
            } else if let colon = host.lastIndex(of: ":") {
                guard let value = Int(host[host.index(after: colon)...]) else { return nil }
                port = value
                host = host[..<colon]
            }
            guard !host.isEmpty, (1...65535).contains(port) else { return nil }
            self = .tcp(host: String(host), port: port)
            return
        }
        guard text.hasPrefix("/dev/") else { return nil }
        if text.hasPrefix("/dev/usb/lp") || text.hasPrefix("/dev/lp") || text.contains("printer") {
            self = .usbLinePrinter(path: text)
        } else {
            self = .serial(path: text)
        }
    }

    public var description: String {
        switch self {
        case .usbLinePrinter(let path), .serial(let path): return path
        case .tcp(let host, let port): return "tcp://\(host):\(port)"
        }
    }
}
