import FoundationEssentials

/// What a device is: hardware and software that change rarely. Absent sources are `nil`, never zero.
public struct DeviceFacts: Codable, Equatable, Sendable {
    /// Host name (`uname -n`).
    public var hostname: String
    /// Machine architecture as `uname -m` prints it (`x86_64`, `aarch64`, `armv7l`).
    public var architecture: String
    /// Kernel release (`uname -r`).
    public var kernel: String?
    /// Operating system, from `/etc/os-release`.
    public var os: OperatingSystem?
    /// Processor.
    public var cpu: CPUInfo
    /// Physical memory in bytes (`MemTotal`).
    public var memoryBytes: UInt64?
    /// Swap in bytes (`SwapTotal`).
    public var swapBytes: UInt64?
    /// Board model (`/proc/device-tree/model`, e.g. "Raspberry Pi 4 Model B Rev 1.4"), or DMI product name.
    public var boardModel: String?
    /// When the device booted.
    public var bootTime: Date?
    /// Version of the agent that reports.
    public var agentVersion: String
    /// The declared profile this device is capped to, when it is a simulated (lab) device.
    public var profile: HardwareProfile?

    /// Creates facts.
    public init(hostname: String, architecture: String, kernel: String? = nil, os: OperatingSystem? = nil,
                cpu: CPUInfo, memoryBytes: UInt64? = nil, swapBytes: UInt64? = nil, boardModel: String? = nil,
                bootTime: Date? = nil, agentVersion: String, profile: HardwareProfile? = nil) {
        self.hostname = hostname
        self.architecture = architecture
        self.kernel = kernel
        self.os = os
        self.cpu = cpu
        self.memoryBytes = memoryBytes
        self.swapBytes = swapBytes
        self.boardModel = boardModel
        self.bootTime = bootTime
        self.agentVersion = agentVersion
        self.profile = profile
    }
}

/// The operating system as `/etc/os-release` names it.
public struct OperatingSystem: Codable, Equatable, Sendable {
    /// `ID` (`debian`, `raspbian`, `ubuntu`).
    public var id: String?
    /// `PRETTY_NAME` ("Debian GNU/Linux 12 (bookworm)").
    public var prettyName: String?
    /// `VERSION_ID` ("12").
    public var versionID: String?

    /// Creates a description.
    public init(id: String?, prettyName: String?, versionID: String?) {
        self.id = id
        self.prettyName = prettyName
        self.versionID = versionID
    }
}

/// The processor.
public struct CPUInfo: Codable, Equatable, Sendable {
    /// Model name (`model name` in `/proc/cpuinfo`, or `Model`/`Hardware` on ARM).
    public var model: String?
    /// Logical cores online.
    public var cores: Int
    /// Highest frequency in MHz (`cpuinfo_max_freq`), when the kernel exposes it.
    public var maxFrequencyMHz: Double?

    /// Creates a description.
    public init(model: String?, cores: Int, maxFrequencyMHz: Double?) {
        self.model = model
        self.cores = cores
        self.maxFrequencyMHz = maxFrequencyMHz
    }
}
