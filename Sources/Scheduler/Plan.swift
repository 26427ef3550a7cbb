/// How well a device suits a component: the verdict, the factors behind it, and the words for it.
public struct Assessment: Codable, Sendable, Equatable {
    public enum Tier: String, Codable, Sendable, Comparable {
        case recommended
        case ok
        case notRecommended = "not-recommended"

        var rank: Int { self == .recommended ? 0 : self == .ok ? 1 : 2 }
        public static func < (a: Tier, b: Tier) -> Bool { a.rank < b.rank }

        /// As a person writes it.
        public var words: String { self == .recommended ? "Recommended" : self == .ok ? "OK" : "Not recommended" }
    }

    /// One soft factor: 0-100, and its weight in the total.
    public struct Factor: Codable, Sendable, Equatable {
        public var name: String
        public var score: Double
        public var weight: Double
        /// What the score rests on ("6.1 GB free of 8 GB after this app").
        public var note: String
    }

    public var device: String
    public var tier: Tier
    /// The weighted mean of the factors, 0-100; 0 when rejected.
    public var score: Double
    public var factors: [Factor]
    /// Why the device cannot take it (hard filters); empty when it can.
    public var rejections: [String]
    /// What the judgement could not rest on (no metrics yet, no history).
    public var warnings: [String]
    /// One line: "nas: 7.5 GB RAM free and always on".
    public var reason: String

    public var eligible: Bool { rejections.isEmpty }
}

/// The scheduler's answer.
public struct Plan: Codable, Sendable, Equatable {
    /// Every device for each component, best first.
    public struct Ranking: Codable, Sendable, Equatable {
        public var component: String
        public var devices: [Assessment]
    }
    /// Where one instance's components go.
    public struct Placement: Codable, Sendable, Equatable {
        public var instance: Int
        /// Device by component.
        public var devices: [String: String]
        /// Combined score of the set, including locality.
        public var score: Double
        public var reason: String
    }

    public var recipe: String
    public var rankings: [Ranking]
    public var placements: [Placement]
    /// Why instances could not be placed (empty when all were).
    public var unplaced: [String]
}

/// The weights of the soft factors; 0 turns one off. Defaults and their reasons: docs/scheduler.md.
public struct Weights: Codable, Sendable, Equatable {
    public var ramHeadroom = 3.0
    public var storageHeadroom = 2.0
    public var cpuCapability = 2.0
    public var reliability = 2.0
    public var alwaysOnFit = 3.0
    public var powerDraw = 1.0
    public var load = 1.5
    public var spread = 2.0
    public var traits = 3.0
    public var locality = 1.0

    public init() {}
}

extension Weights {
    /// The factors by the names plans print.
    public static var names: [(String, WritableKeyPath<Weights, Double>)] {
        [
            ("ram-headroom", \.ramHeadroom), ("storage-headroom", \.storageHeadroom), ("cpu", \.cpuCapability), ("reliability", \.reliability),
            ("always-on", \.alwaysOnFit), ("power", \.powerDraw), ("load", \.load), ("spread", \.spread), ("traits", \.traits), ("locality", \.locality),
        ]
    }

    /// The defaults with `NAME=WEIGHT` pairs applied (`ram-headroom=4`, `spread=0`); the error names what is wrong.
    public init(overrides: [String]) throws(WeightsError) {
        self.init()
        for pair in overrides.flatMap({ $0.split(separator: ",").map(String.init) }) {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), value >= 0, value <= 100 else {
                throw WeightsError(message: "\(pair): expected FACTOR=WEIGHT with a weight of 0-100")
            }
            guard let path = Self.names.first(where: { $0.0 == parts[0] })?.1 else {
                throw WeightsError(message: "\(parts[0]) is not a factor (\(Self.names.map(\.0).joined(separator: ", ")))")
            }
            self[keyPath: path] = value
        }
    }
}

/// A `--weight` that does not parse.
public struct WeightsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
