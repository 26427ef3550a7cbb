import FoundationEssentials
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Collects what a device is (hardware, kernel, distribution) from /proc, /sys and /etc.
public struct FactsCollector: Sendable {
    /// Where the kernel's and the distribution's files are.
    public var paths: HostPaths
    /// The version of the agent that reports.
    public var agentVersion: String
    /// Host name, architecture and kernel; `nil` asks `uname` at each collection.
    public var identity: KernelIdentity?

    /// DMI strings that firmware vendors leave in place of a real product name.
    static let placeholderProducts: Set<String> = [
        "to be filled by o.e.m.", "system product name", "default string", "not applicable", "not specified",
        "none", "o.e.m.", "oem", "type1productconfigid", "all series", "invalid", "unknown", "standard pc",
    ]

    /// Creates a collector.
    public init(paths: HostPaths = .host, agentVersion: String, identity: KernelIdentity? = nil) {
        self.paths = paths
        self.agentVersion = agentVersion
        self.identity = identity
    }

    /// The device's facts; every source that cannot be read is `nil`.
    public func collect() -> DeviceFacts {
        let identity = identity ?? KernelIdentity.current() ?? fallbackIdentity()
        let cpuinfo = SystemFiles.read(paths.proc + "/cpuinfo").map(CPUInfoText.init)
        let memory = SystemFiles.read(paths.proc + "/meminfo").map(MemInfo.init)
        let stat = SystemFiles.read(paths.proc + "/stat").map(ProcStat.init)
        return DeviceFacts(
            hostname: identity.hostname,
            architecture: identity.architecture,
            kernel: identity.kernel,
            os: SystemFiles.read(paths.etc + "/os-release").flatMap(OSRelease.parse),
            cpu: CPUInfo(model: cpuinfo?.model, cores: onlineCores(cpuinfo), maxFrequencyMHz: maxFrequencyMHz()),
            memoryBytes: memory?["MemTotal"],
            swapBytes: memory?["SwapTotal"],
            boardModel: boardModel(),
            bootTime: stat?.bootTime.map { Date(timeIntervalSince1970: Double($0)) },
            agentVersion: agentVersion
        )
    }

    /// Logical cores online: the sysfs list, else the `processor` entries of cpuinfo, else `sysconf`.
    func onlineCores(_ cpuinfo: CPUInfoText?) -> Int {
        if let text = SystemFiles.read(paths.sys + "/devices/system/cpu/online"), let count = CPUList.count(text) {
            return count
        }
        if let count = cpuinfo?.processorCount, count > 0 { return count }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// The highest `cpuinfo_max_freq` of any core, kHz turned into MHz, or `nil` without cpufreq.
    func maxFrequencyMHz() -> Double? {
        let base = paths.sys + "/devices/system/cpu"
        let cores = (SystemFiles.list(base) ?? []).filter { $0.hasPrefix("cpu") && Int($0.dropFirst(3)) != nil }
        let kilohertz = cores.compactMap { SystemFiles.readValue(base + "/" + $0 + "/cpufreq/cpuinfo_max_freq").flatMap { UInt64($0) } }
        return kilohertz.max().map { Double($0) / 1000 }
    }

    /// The device-tree model (boards), else the DMI product name unless it is a placeholder (PCs).
    func boardModel() -> String? {
        if let model = SystemFiles.readValue(paths.proc + "/device-tree/model") { return model }
        guard let product = SystemFiles.readValue(paths.sys + "/class/dmi/id/product_name"),
              !Self.placeholderProducts.contains(product.lowercased()) else { return nil }
        return product
    }

    /// The identity from procfs when `uname` fails, which only a broken libc makes happen.
    private func fallbackIdentity() -> KernelIdentity {
        KernelIdentity(
            hostname: SystemFiles.readValue(paths.proc + "/sys/kernel/hostname") ?? "unknown",
            architecture: SystemFiles.readValue(paths.proc + "/sys/kernel/arch") ?? "unknown",
            kernel: SystemFiles.readValue(paths.proc + "/sys/kernel/osrelease")
        )
    }
}
