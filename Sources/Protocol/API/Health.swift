import FoundationEssentials

/// A device's health colour: green below the warning threshold, yellow up to the critical one, red above it or
/// when the device is unreachable. It judges the worst of CPU, memory and the fullest disk of the latest sample.
public struct DeviceHealth: Codable, Equatable, Sendable {
    /// The colour.
    public enum Level: String, Codable, Sendable, CaseIterable, Comparable {
        case green, yellow, red
        /// Whether a colour is worse than another.
        public static func < (a: Level, b: Level) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    /// The percentages where yellow and red begin (defaults 70 and 90).
    public struct Thresholds: Codable, Equatable, Sendable {
        /// Above this (percent) a device is yellow.
        public var warning: Double
        /// Above this (percent) a device is red.
        public var critical: Double

        /// Creates thresholds; `warning` must be below `critical`.
        public init(warning: Double = 70, critical: Double = 90) {
            self.warning = warning
            self.critical = critical
        }

        /// Parses `WARNING,CRITICAL` (`70,90`); the error says what is wrong.
        public init(parsing text: String) throws(HealthThresholdsError) {
            let parts = text.split(separator: ",").map { Double(String($0.filter { $0 != " " })) }
            guard parts.count == 2, let warning = parts[0], let critical = parts[1], warning > 0, warning < critical, critical <= 100 else {
                throw HealthThresholdsError(description: "health thresholds must be WARNING,CRITICAL percentages with 0 < warning < critical <= 100, got '\(text)'")
            }
            self.init(warning: warning, critical: critical)
        }
    }

    /// Green, yellow or red.
    public var level: Level
    /// The worst of CPU, memory and disk use in percent, when the device reported any.
    public var worstPercent: Double?
    /// What decided the colour, for people: `memory 93 %`, `unreachable`, `no metrics yet`.
    public var reason: String

    /// Creates a judgement.
    public init(level: Level, worstPercent: Double?, reason: String) {
        self.level = level
        self.worstPercent = worstPercent
        self.reason = reason
    }

    /// The health of `device` by its status and latest sample; nil for a pending device, which has none yet.
    public init?(_ device: DeviceResource, thresholds: Thresholds = Thresholds()) {
        switch device.status {
        case .pending: return nil
        case .offline: self.init(level: .red, worstPercent: nil, reason: "unreachable")
        case .online:
            let readings = Self.readings(device.metrics)
            guard let worst = readings.max(by: { $0.percent < $1.percent }) else {
                self.init(level: .green, worstPercent: nil, reason: "no metrics yet")
                return
            }
            let level: Level = worst.percent > thresholds.critical ? .red : worst.percent > thresholds.warning ? .yellow : .green
            self.init(level: level, worstPercent: worst.percent, reason: "\(worst.name) \(Int(worst.percent.rounded())) %")
        }
    }

    /// CPU, memory and the fullest filesystem of a sample, in percent.
    static func readings(_ sample: MetricsSample?) -> [(name: String, percent: Double)] {
        guard let sample else { return [] }
        var readings: [(name: String, percent: Double)] = []
        if let cpu = sample.cpu { readings.append(("CPU", cpu.totalPercent)) }
        if let memory = sample.memory, memory.totalBytes > 0 {
            readings.append(("memory", Double(memory.usedBytes) / Double(memory.totalBytes) * 100))
        }
        if let fullest = sample.filesystems?.filter({ $0.sizeBytes > 0 }).map({ Double($0.usedBytes) / Double($0.sizeBytes) * 100 }).max() {
            readings.append(("disk", fullest))
        }
        return readings
    }
}

/// Health thresholds that do not parse.
public struct HealthThresholdsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String
}
