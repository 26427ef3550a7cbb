/// A declared hardware profile: what a simulated lab device pretends to be ("a NAS with 8 GB and
/// 2 TB, always on, 15 W"). The agent caps what it reports to it, and the facts carry it so that
/// everyone can see the device is simulated. Written as `ram=8G,disk=2T,cores=4,arch=arm64,always-on=true,watts=15`.
public struct HardwareProfile: Codable, Equatable, Sendable {
    /// Memory the device reports at most, in bytes.
    public var memoryBytes: UInt64?
    /// Size of the root filesystem the device reports at most, in bytes.
    public var diskBytes: UInt64?
    /// Logical cores the device reports at most.
    public var cores: Int?
    /// Architecture reported instead of the real one, as `uname -m` prints it (`aarch64`, `armv7l`, `x86_64`).
    public var architecture: String?
    /// Whether the device is meant to be on all the time.
    public var alwaysOn: Bool?
    /// Typical power draw in watts.
    public var watts: Double?
    /// Always true for a profile given to an agent: these are not the machine's own figures.
    public var simulated: Bool

    /// The keys a profile may set.
    public static let keys = ["ram", "disk", "cores", "arch", "always-on", "watts"]

    /// Creates a profile.
    public init(memoryBytes: UInt64? = nil, diskBytes: UInt64? = nil, cores: Int? = nil, architecture: String? = nil,
                alwaysOn: Bool? = nil, watts: Double? = nil, simulated: Bool = true) {
        self.memoryBytes = memoryBytes
        self.diskBytes = diskBytes
        self.cores = cores
        self.architecture = architecture
        self.alwaysOn = alwaysOn
        self.watts = watts
        self.simulated = simulated
    }

    /// Parses `key=value,…`; the error names the key and what it expected.
    public init(parsing text: String) throws(HardwareProfileError) {
        self.init()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).filter { $0 != " " } }
            guard parts.count == 2, !parts[1].isEmpty else { throw HardwareProfileError("'\(pair)' is not key=value") }
            let (key, value) = (parts[0], parts[1])
            switch key {
            case "ram": memoryBytes = try Self.size(value, key: key)
            case "disk": diskBytes = try Self.size(value, key: key)
            case "cores":
                guard let number = Int(value), number > 0 else { throw HardwareProfileError("cores must be a positive whole number, got '\(value)'") }
                cores = number
            case "arch":
                guard let machine = Self.machines[value] else {
                    throw HardwareProfileError("arch must be one of \(Self.machines.keys.sorted().joined(separator: ", ")), got '\(value)'")
                }
                architecture = machine
            case "always-on":
                guard let flag = ["true": true, "yes": true, "false": false, "no": false][value] else {
                    throw HardwareProfileError("always-on must be true or false, got '\(value)'")
                }
                alwaysOn = flag
            case "watts":
                guard let number = Double(value), number >= 0, number.isFinite else { throw HardwareProfileError("watts must be a number, got '\(value)'") }
                watts = number
            default:
                throw HardwareProfileError("unknown key '\(key)' (known: \(Self.keys.joined(separator: ", ")))")
            }
        }
    }

    /// Architecture names accepted (as Docker names platforms, and as `uname -m` prints them) and what is reported.
    static let machines = ["amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64",
                           "armv7": "armv7l", "armv7l": "armv7l", "armv6": "armv6l", "armv6l": "armv6l"]

    /// `512M`, `8G`, `2T` (powers of 1024), or plain bytes.
    static func size(_ text: String, key: String) throws(HardwareProfileError) -> UInt64 {
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(text)
        var scale: UInt64 = 1
        if let last = digits.last?.uppercased().first, let unit = units[last] {
            scale = unit
            digits = digits.dropLast()
        }
        guard let number = Double(digits), number > 0, number * Double(scale) < 1e18 else {
            throw HardwareProfileError("\(key) must be a size like 512M, 8G or 2T, got '\(text)'")
        }
        return UInt64(number * Double(scale))
    }
}

/// A profile that does not parse.
public struct HardwareProfileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}
