/// The scheduler's answer: every device ranked for each component, and where each instance goes, with
/// the choice and its reasons as fields (the device per component, the deciding factor, the packing decision).
public struct Plan: Codable, Sendable, Equatable {
    /// Every device for one component, in the order the placement uses: for a one-component app the
    /// first eligible device is the one placed.
    public struct Ranking: Codable, Sendable, Equatable {
        public var component: String
        public var devices: [Assessment]
    }

    /// What decided a choice over the next best device.
    public struct Decision: Codable, Sendable, Equatable {
        /// What decided it.
        public enum Factor: String, Codable, Sendable {
            /// The only device that can take it.
            case onlyCandidate = "only-candidate"
            /// A better tier (the other has a concern, or cannot take it).
            case tier
            /// Always on, for an app that wants it.
            case alwaysOn = "always-on"
            /// Fewer copies of the app already there: instances go round-robin.
            case spread
            /// More of the traits the app prefers (storage-optimized, a GPU, a fast CPU, high memory).
            case traits
            /// A higher score; `factor` names the soft factor that made most of the difference.
            case score
            /// Scores within the band count as equal: the tighter fit (less RAM left after the app) keeps the larger hole.
            case tighterFit = "tighter-fit"
            /// Equal in everything: the name, so the order is the same every time.
            case name
            /// Placed with the other components of the app: the best set that fits together.
            case joint
        }
        public var by: Factor
        /// For `score`: the soft factor (`fit`, `power`, `ram-headroom`, …) that made most of the difference.
        public var factor: String?
        /// The device it was chosen over (the next in the ranking), if any.
        public var over: String?
        /// In words ("pi4 has low storage: 3.9 GB free of 16 GB after this app").
        public var words: String
    }

    /// Packing changed the choice: without the fit factor another device would have been first.
    public struct Packing: Codable, Sendable, Equatable {
        /// The device that would have been chosen without packing.
        public var over: String
        /// Why the tighter fit is better, in words ("keeps nas's 1.9 TB of storage for apps that need it").
        public var reason: String
    }

    /// Where one component of one instance goes, and why.
    public struct Choice: Codable, Sendable, Equatable {
        public var component: String
        public var device: String
        public var tier: Assessment.Tier
        public var score: Double
        /// The device's line for this component ("8 GB RAM free and always on").
        public var reason: String
        public var decision: Decision
        /// Set when packing chose this device over the one judgement alone would put first.
        public var packing: Packing?
    }

    /// Where one instance's components go.
    public struct Placement: Codable, Sendable, Equatable {
        public var instance: Int
        /// Device by component.
        public var devices: [String: String]
        /// Combined score of the set, including locality.
        public var score: Double
        /// Each component's choice, in the recipe's order.
        public var choices: [Choice]
    }

    public var recipe: String
    public var rankings: [Ranking]
    public var placements: [Placement]
    /// Why instances could not be placed (empty when all were).
    public var unplaced: [String]
}
