/// A compose duration (`1m30s`, `10s`, `250ms`, `1h`), kept in milliseconds.
public struct ComposeDuration: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The length in milliseconds.
    public var milliseconds: Int64

    /// Creates a duration of `milliseconds`.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// A duration of `seconds`.
    public static func seconds(_ seconds: Int64) -> ComposeDuration { ComposeDuration(milliseconds: seconds * 1000) }

    /// Parses `text`, or returns nil when it is not a duration.
    public init?(parsing text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("us", 0), ("ns", 0)]
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            let (product, overflow) = value.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            total += product
        }
        self.milliseconds = total
    }

    /// `1m30s` style, the largest units first.
    public var description: String {
        if milliseconds == 0 { return "0s" }
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        var seconds = milliseconds / 1000
        var text = ""
        if seconds >= 3600 { text += "\(seconds / 3600)h"; seconds %= 3600 }
        if seconds >= 60 { text += "\(seconds / 60)m"; seconds %= 60 }
        if seconds > 0 { text += "\(seconds)s" }
        return text
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            // Compose reads a bare number as seconds.
            self.milliseconds = number * 1000
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = ComposeDuration(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a duration such as 10s, 1m30s or 500ms")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
