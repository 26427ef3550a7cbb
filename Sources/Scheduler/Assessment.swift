/// How well a device suits a component: the verdict, the factors behind it, and the words that decide it.
public struct Assessment: Codable, Sendable, Equatable {
    /// The verdict a person reads first.
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

    /// What keeps an eligible device below Recommended, with a stable code and the words for it.
    public struct Concern: Codable, Sendable, Equatable {
        /// The kind of concern.
        public enum Code: String, Codable, Sendable {
            /// The app's data, with room to grow, would take the disk near its 10 % margin.
            case lowStorage = "low-storage"
            /// Less than a tenth of the RAM would stay free after the app.
            case nearMemoryLimit = "near-ram-limit"
            /// The app wants an always-on device and this one is not.
            case notAlwaysOn = "not-always-on"
            /// Eligible, but the factors together score under the line of OK.
            case lowScore = "low-score"
        }
        public var code: Code
        /// As the reason says it ("low storage: 3.9 GB free of 16 GB after this app").
        public var words: String
    }

    public var device: String
    public var tier: Tier
    /// The judgement plus packing's points (fit adds, room takes), kept under the line of the tier above; 0 when rejected.
    public var score: Double
    /// The judgement alone: the weighted mean of every factor but packing's, 0-100; it decides the tier.
    public var judgement: Double
    public var factors: [Factor]
    /// Why the device cannot take it (hard filters); empty when it can.
    public var rejections: [String]
    /// What holds it back from the tier above (each caps it at OK); empty for a clean Recommended.
    public var concerns: [Concern]
    /// What speaks for it, in words ("8 GB RAM free", "always on", "low power").
    public var strengths: [String]
    /// Copies of this app already there (instances go first to the devices with the fewest).
    public var copies: Int
    /// What the judgement could not rest on (no metrics yet, no history).
    public var warnings: [String]
    /// The line a person reads: the strengths, then "but" and the concerns; or the first rejection.
    /// Without the device's name ("8 GB RAM free and always on").
    public var reason: String

    public var eligible: Bool { rejections.isEmpty }
}
