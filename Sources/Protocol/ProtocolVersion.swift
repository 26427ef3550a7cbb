/// A closed range of protocol versions a peer speaks; both sides pick the highest they share.
public struct ProtocolVersionRange: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Lowest version spoken.
    public var min: Int
    /// Highest version spoken.
    public var max: Int

    /// Creates a range.
    public init(min: Int, max: Int) {
        self.min = min
        self.max = max
    }

    /// What this build speaks.
    public static let current = ProtocolVersionRange(min: 1, max: 1)

    /// The highest version in both ranges, or a `versionMismatch` error naming both.
    public func negotiate(with other: ProtocolVersionRange) throws -> Int {
        let chosen = Swift.min(max, other.max)
        guard chosen >= Swift.max(min, other.min) else {
            throw HomelabError(.versionMismatch, "no common protocol version: we speak \(self), the peer speaks \(other)")
        }
        return chosen
    }

    public var description: String { min == max ? "v\(min)" : "v\(min)-v\(max)" }
}
