/// The range one number a client sends must fall in, named by its API field.
public struct InputBound<Value: Comparable & Sendable>: Sendable {
    /// The API field (or query parameter) as clients write it.
    public let field: String
    /// The values accepted.
    public let range: ClosedRange<Value>
    /// What the number counts, for messages ("seconds", "lines").
    public let unit: String

    /// Creates a bound.
    public init(_ field: String, _ range: ClosedRange<Value>, unit: String) {
        self.field = field
        self.range = range
        self.unit = unit
    }

    /// "1 and 3600 seconds".
    var rangeText: String { "\(range.lowerBound) and \(range.upperBound)" + (unit.isEmpty ? "" : " \(unit)") }

    /// `value` when absent or in range.
    @discardableResult
    public func check(_ value: Value?) throws(InputBoundError) -> Value? {
        guard let value else { return nil }
        guard range.contains(value) else {
            throw InputBoundError(field: field, message: "\(field) must be between \(rangeText), got \(value)")
        }
        return value
    }
}

extension InputBound where Value == Int {
    /// A query parameter's text as a whole number in range; nil when absent.
    public func parse(_ text: String?) throws(InputBoundError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else {
            throw InputBoundError(field: field, message: "\(field) must be a whole number between \(rangeText)")
        }
        return try check(value)
    }
}

/// A number out of its bound; the message names the API field and the range.
public struct InputBoundError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The API field.
    public var field: String
    /// What is wrong, for people.
    public var message: String
    /// Creates the error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { message }
}

/// Every number a client may send, with its range: the one place the API, the CLI and the agent check
/// them, and the ranges the OpenAPI document states.
public enum InputBounds {
    /// A join token's lifetime: one second to one year.
    public static let joinTokenTTL = InputBound<Int>("ttlSeconds", 1...31_536_000, unit: "seconds")
    /// An API token's lifetime: one minute to five years.
    public static let apiTokenTTL = InputBound<Int>("ttlSeconds", 60...157_680_000, unit: "seconds")
    /// Log lines from the end.
    public static let logTail = InputBound<Int>("tail", 0...100_000, unit: "lines")
    /// How long a stack apply or a deploy waits for health.
    public static let healthTimeout = InputBound<Int>("healthTimeout", 1...3_600, unit: "seconds")
    /// Instances of one app placed at once.
    public static let instances = InputBound<Int>("instances", 1...64, unit: "instances")
    /// A deployment's progress sequence number to read after.
    public static let progressAfter = InputBound<Int>("after", 0...1_000_000_000, unit: "steps")
    /// A network scan's time limit.
    public static let scanTimeLimit = InputBound<Double>("timeLimitSeconds", 1...3_600, unit: "seconds")
    /// A scan's wait for one connection attempt.
    public static let scanHostTimeout = InputBound<Int>("hostTimeoutMilliseconds", 50...10_000, unit: "milliseconds")
    /// A scan's connection attempts at once.
    public static let scanConcurrency = InputBound<Int>("concurrency", 1...512, unit: "connections")
    /// A scan's connection attempts per second.
    public static let scanRate = InputBound<Int>("ratePerSecond", 1...10_000, unit: "attempts per second")
    /// A TCP port.
    public static let port = InputBound<Int>("port", 1...65_535, unit: "")
    /// How long a bootstrap waits for the new agent to enroll.
    public static let enrollTimeout = InputBound<Double>("enrollTimeoutSeconds", 1...3_600, unit: "seconds")
    /// Entries of one page of a list (the audit log).
    public static let pageLimit = InputBound<Int>("limit", 1...500, unit: "entries")
}
