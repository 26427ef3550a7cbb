import ArgumentParser

/// A duration (a token's lifetime, an alert rule's span): seconds, or a number with a unit (`90s`, `30m`, `24h`, `7d`).
public struct TTL: Equatable, Sendable, CustomStringConvertible {
    /// The lifetime in seconds.
    public var seconds: Int

    /// Creates a lifetime.
    public init(seconds: Int) {
        self.seconds = seconds
    }

    /// Parses `SECONDS` or `N` followed by `s`, `m`, `h`, `d` or `w`.
    public init(parsing text: String) throws(ValidationError) {
        let trimmed = text.trimmingWhitespace().lowercased()
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        var digits = Substring(trimmed)
        var multiplier = 1
        if let last = trimmed.last, let unit = units[last] {
            digits = digits.dropLast()
            multiplier = unit
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits) else {
            throw ValidationError("use seconds or a number with s, m, h, d or w, like 30m, 24h or 7d")
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow, seconds > 0 else {
            throw ValidationError("a duration must be at least one second")
        }
        self.seconds = seconds
    }

    /// The lifetime in the largest whole unit (`7d`, `90m`, `45s`).
    public var description: String {
        for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
