import Protocol

/// Terminal colors for status words, used only on a terminal and when `NO_COLOR` is unset.
public struct Style: Sendable {
    /// Whether escape sequences are written.
    public var colorEnabled: Bool

    /// Creates a style.
    public init(colorEnabled: Bool) {
        self.colorEnabled = colorEnabled
    }

    /// Whether color is on: stdout is a terminal and `NO_COLOR` is absent or empty (no-color.org).
    public static func colorEnabled(environment: [String: String], outputIsTerminal: Bool) -> Bool {
        guard outputIsTerminal else { return false }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return true
    }

    /// A device status word, green/red/yellow when color is on.
    public func status(_ status: DeviceStatus) -> String {
        switch status {
        case .online: paint(status.rawValue, code: "32")
        case .offline: paint(status.rawValue, code: "31")
        case .pending: paint(status.rawValue, code: "33")
        }
    }

    /// Text in a color given by its SGR code, or plain text when color is off.
    public func paint(_ text: String, code: String) -> String {
        colorEnabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
