/// The weights of the soft factors; 0 turns one off. Defaults and their reasons: docs/scheduler.md.
public struct Weights: Codable, Sendable, Equatable {
    public var ramHeadroom = 0.0
    public var storageHeadroom = 2.0
    public var cpuCapability = 2.0
    public var reliability = 2.0
    public var alwaysOnFit = 3.0
    public var powerDraw = 1.0
    public var load = 1.0
    public var spread = 2.0
    public var traits = 3.0
    /// Points the tightest fit adds on top of the judgement (not a share of the mean).
    public var fit = 10.0
    /// Points taking the scarcest room this app does not need takes off (not a share of the mean).
    public var room = 30.0
    public var locality = 1.0

    public init() {}
}

extension Weights {
    /// The factors by the names plans print.
    public static var names: [(String, WritableKeyPath<Weights, Double>)] {
        [
            ("ram-headroom", \.ramHeadroom), ("storage-headroom", \.storageHeadroom), ("cpu", \.cpuCapability), ("reliability", \.reliability),
            ("always-on", \.alwaysOnFit), ("power", \.powerDraw), ("load", \.load), ("spread", \.spread), ("traits", \.traits), ("fit", \.fit), ("room", \.room),
            ("locality", \.locality),
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
