/// A typed value whose set is open: known values are named constants, and a value a newer peer sends
/// still decodes (receivers treat one they do not know as the docs say). It travels as a plain string.
public protocol StringTag: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible
where RawValue == String, StringLiteralType == String {
    init(rawValue: String)
}

extension StringTag {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public init(from decoder: any Decoder) throws { self.init(rawValue: try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
}

/// A container's state, as the engine reports it.
public struct ContainerState: StringTag {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let created: Self = "created"
    public static let running: Self = "running"
    public static let restarting: Self = "restarting"
    public static let exited: Self = "exited"
    public static let paused: Self = "paused"
    public static let dead: Self = "dead"
    public static let removing: Self = "removing"
    /// The engine said nothing about it.
    public static let unknown: Self = "unknown"

    /// It ended and will not run again by itself.
    public var hasEnded: Bool { self == .exited || self == .dead }
}

/// A container's health check status (absent when the image has no health check).
public struct ContainerHealth: StringTag {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let starting: Self = "starting"
    public static let healthy: Self = "healthy"
    public static let unhealthy: Self = "unhealthy"
}
