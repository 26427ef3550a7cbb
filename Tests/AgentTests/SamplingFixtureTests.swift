import FoundationEssentials
import Protocol
import Testing
@testable import Agent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A fake root (`proc`, `sys`, `etc`) in a fresh temporary directory.
struct FixtureTree {
    /// The temporary directory.
    let root: String

    /// Creates an empty tree.
    init() throws {
        var template = Array("/tmp/homelab-sampling-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError(message: "mkdtemp failed") }
        root = String(cString: made)
    }

    /// Paths that point the collectors at this tree.
    var paths: HostPaths { HostPaths(root: root) }

    /// Writes `contents` at `relativePath`, creating parent directories.
    func write(_ relativePath: String, _ contents: String) throws {
        let path = root + "/" + relativePath
        let parent = String(path[..<path.lastIndex(of: "/")!])
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)) else {
            throw FixtureError(message: "cannot write \(path)")
        }
    }

    /// Creates an empty directory at `relativePath`.
    func makeDirectory(_ relativePath: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + relativePath, withIntermediateDirectories: true)
    }

    /// Removes the whole tree.
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// A fixture that could not be built.
struct FixtureError: Error {
    /// What failed.
    var message: String
}

/// Realistic file contents of two devices.
enum Fixtures {
    /// `/proc/cpuinfo` of a Raspberry Pi 4 running a 64-bit kernel.
    static let pi4CPUInfo = (0..<4).map { core in
        """
        processor\t: \(core)
        BogoMIPS\t: 108.00
        Features\t: fp asimd evtstrm crc32 cpuid
        CPU implementer\t: 0x41
        CPU architecture: 8
        CPU variant\t: 0x0
        CPU part\t: 0xd08
        CPU revision\t: 3

        """
    }.joined(separator: "\n") + """

        Hardware\t: BCM2835
        Revision\t: c03114
        Serial\t\t: 100000002a5b3c4d
        Model\t\t: Raspberry Pi 4 Model B Rev 1.4

        """

    /// `/proc/cpuinfo` of a six-core Intel mini PC (only the lines that matter, repeated per core).
    static let x86CPUInfo = (0..<6).map { core in
        """
        processor\t: \(core)
        vendor_id\t: GenuineIntel
        cpu family\t: 6
        model\t\t: 158
        model name\t: Intel(R) Core(TM) i5-8500T CPU @ 2.10GHz
        cpu MHz\t\t: 800.126
        cpu cores\t: 6

        """
    }.joined(separator: "\n")

    /// `/proc/meminfo` of a 4 GB Pi with the default 100 MB swap file.
    static let pi4MemInfo = """
        MemTotal:        3882400 kB
        MemFree:         2915220 kB
        MemAvailable:    3421004 kB
        Buffers:           41232 kB
        Cached:           512340 kB
        SwapCached:            0 kB
        SwapTotal:        102396 kB
        SwapFree:          92156 kB
        HugePages_Total:       0

        """

    /// `/proc/meminfo` of a 16 GB PC.
    static let x86MemInfo = """
        MemTotal:       16248176 kB
        MemFree:         9112044 kB
        MemAvailable:   13006088 kB
        SwapTotal:       2097148 kB
        SwapFree:        2097148 kB

        """

    /// `/proc/net/dev` with loopback, Ethernet and Wi-Fi.
    static let netDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:   81234     912    0    0    0     0          0         0    81234     912    0    0    0     0       0          0
          eth0: 1928374650 1500231    0   12    0     0          0      3321 283746512  901233    0    0    0     0       0          0
         wlan0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0

        """

    /// A `/proc/stat` whose counters are `base` plus the given per-line extras.
    static func stat(total: String, cores: [String], btime: Int = 1_718_000_000) -> String {
        (["cpu  " + total] + cores.enumerated().map { "cpu\($0.offset) \($0.element)" } + [
            "intr 371995 0 0 0",
            "ctxt 586556",
            "btime \(btime)",
            "processes 12345",
            "procs_running 1",
            "procs_blocked 0",
        ]).joined(separator: "\n") + "\n"
    }

    /// Writes a Raspberry Pi 4 into `tree`; its mount table names two directories of the tree itself.
    static func writePi4(into tree: FixtureTree) throws {
        try tree.write("proc/cpuinfo", pi4CPUInfo)
        try tree.write("proc/meminfo", pi4MemInfo)
        try tree.write("proc/stat", stat(total: "1000 0 500 8000 100 0 20 0 0 0", cores: Array(repeating: "250 0 125 2000 25 0 5 0 0 0", count: 4)))
        try tree.write("proc/loadavg", "0.08 0.12 0.10 1/187 1234\n")
        try tree.write("proc/uptime", "86400.52 340000.11\n")
        try tree.write("proc/net/dev", netDev)
        try tree.write("proc/device-tree/model", "Raspberry Pi 4 Model B Rev 1.4\0")
        try tree.makeDirectory("data")
        try tree.makeDirectory("mnt/My Disk")
        try tree.write("proc/self/mounts", """
            /dev/mmcblk0p2 \(tree.root)/data ext4 rw,noatime 0 0
            devtmpfs /dev devtmpfs rw,relatime,size=1800000k 0 0
            tmpfs /run tmpfs rw,nosuid,nodev,size=388240k,mode=755 0 0
            /dev/sda1 \(tree.root)/mnt/My\\040Disk ext4 rw,relatime 0 0
            /dev/mmcblk0p2 \(tree.root)/data/docker-bind ext4 rw,noatime 0 0
            /dev/mmcblk0p1 /boot/firmware-that-is-not-here vfat rw,relatime 0 0

            """)
        try tree.write("sys/devices/system/cpu/online", "0-3\n")
        for core in 0..<4 {
            try tree.write("sys/devices/system/cpu/cpu\(core)/cpufreq/cpuinfo_max_freq", "1800000\n")
        }
        try tree.write("sys/class/thermal/thermal_zone0/type", "cpu-thermal\n")
        try tree.write("sys/class/thermal/thermal_zone0/temp", "48312\n")
        try tree.write("sys/class/hwmon/hwmon0/name", "cpu_thermal\n")
        try tree.write("sys/class/hwmon/hwmon0/temp1_input", "48700\n")
        try tree.write("sys/class/hwmon/hwmon1/name", "rpi_volt\n")
        try tree.write("sys/class/hwmon/hwmon1/in0_lcrit_alarm", "0\n")
        try tree.write("etc/os-release", """
            PRETTY_NAME="Raspbian GNU/Linux 11 (bullseye)"
            NAME="Raspbian GNU/Linux"
            VERSION_ID="11"
            VERSION="11 (bullseye)"
            VERSION_CODENAME=bullseye
            ID=raspbian
            ID_LIKE=debian

            """)
    }

    /// Writes an x86 mini PC into `tree`: no `online` list, no device tree, DMI and coretemp sensors.
    static func writeX86(into tree: FixtureTree) throws {
        try tree.write("proc/cpuinfo", x86CPUInfo)
        try tree.write("proc/meminfo", x86MemInfo)
        try tree.write("proc/stat", stat(total: "1 0 1 1 0 0 0 0 0 0", cores: [], btime: 1_700_000_123))
        try tree.write("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "3500000\n")
        try tree.write("sys/devices/system/cpu/cpu1/cpufreq/cpuinfo_max_freq", "3400000\n")
        try tree.write("sys/devices/system/cpu/cpufreq/boost", "1\n")
        try tree.write("sys/class/dmi/id/product_name", "OptiPlex 3060\n")
        try tree.write("sys/class/thermal/thermal_zone0/type", "acpitz\n")
        try tree.write("sys/class/thermal/thermal_zone0/temp", "27800\n")
        try tree.write("sys/class/thermal/thermal_zone1/type", "x86_pkg_temp\n")
        try tree.write("sys/class/thermal/thermal_zone1/temp", "45000\n")
        try tree.write("sys/class/hwmon/hwmon2/name", "coretemp\n")
        try tree.write("sys/class/hwmon/hwmon2/temp1_input", "45000\n")
        try tree.write("sys/class/hwmon/hwmon2/temp1_label", "Package id 0\n")
        try tree.write("sys/class/hwmon/hwmon2/temp2_input", "43000\n")
        try tree.write("sys/class/hwmon/hwmon2/temp2_label", "Core 0\n")
        try tree.write("sys/class/hwmon/hwmon2/temp10_input", "44000\n")
        try tree.write("sys/class/hwmon/hwmon2/temp10_label", "Core 8\n")
        try tree.write("sys/class/hwmon/hwmon2/temp1_crit", "100000\n")
        try tree.write("sys/class/hwmon/hwmon10/name", "nvme\n")
        try tree.write("sys/class/hwmon/hwmon10/temp1_input", "-1500\n")
        try tree.write("etc/os-release", """
            # Ubuntu writes comments too
            PRETTY_NAME="Ubuntu 24.04.1 LTS"
            NAME="Ubuntu"
            VERSION_ID="24.04"
            ID=ubuntu

            """)
    }
}

@Suite("Sampling from fixture trees")
struct SamplingFixtureTests {
    @Test("a Raspberry Pi 4 tree gives its exact facts")
    func pi4Facts() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try Fixtures.writePi4(into: tree)
        let identity = KernelIdentity(hostname: "pi-4", architecture: "aarch64", kernel: "6.1.21-v8+")

        let facts = FactsCollector(paths: tree.paths, agentVersion: "0.1.0", identity: identity).collect()

        #expect(facts == DeviceFacts(
            hostname: "pi-4",
            architecture: "aarch64",
            kernel: "6.1.21-v8+",
            os: OperatingSystem(id: "raspbian", prettyName: "Raspbian GNU/Linux 11 (bullseye)", versionID: "11"),
            cpu: CPUInfo(model: "Raspberry Pi 4 Model B Rev 1.4", cores: 4, maxFrequencyMHz: 1800),
            memoryBytes: 3_882_400 * 1024,
            swapBytes: 102_396 * 1024,
            boardModel: "Raspberry Pi 4 Model B Rev 1.4",
            bootTime: Date(timeIntervalSince1970: 1_718_000_000),
            agentVersion: "0.1.0"
        ))
    }

    @Test("an x86 tree counts cores from cpuinfo and names the board from DMI")
    func x86Facts() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try Fixtures.writeX86(into: tree)
        let identity = KernelIdentity(hostname: "mini", architecture: "x86_64", kernel: "6.8.0-45-generic")

        let facts = FactsCollector(paths: tree.paths, agentVersion: "0.1.0", identity: identity).collect()

        #expect(facts.os == OperatingSystem(id: "ubuntu", prettyName: "Ubuntu 24.04.1 LTS", versionID: "24.04"))
        #expect(facts.cpu == CPUInfo(model: "Intel(R) Core(TM) i5-8500T CPU @ 2.10GHz", cores: 6, maxFrequencyMHz: 3500))
        #expect(facts.memoryBytes == 16_248_176 * 1024)
        #expect(facts.swapBytes == 2_097_148 * 1024)
        #expect(facts.boardModel == "OptiPlex 3060")
        #expect(facts.bootTime == Date(timeIntervalSince1970: 1_700_000_123))
    }

    @Test("a Raspberry Pi 4 tree gives its exact metrics, temperatures and real filesystems")
    func pi4Metrics() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try Fixtures.writePi4(into: tree)
        var sampler = MetricsSampler(paths: tree.paths)
        let now = Date(timeIntervalSince1970: 1_718_086_400)

        let sample = sampler.sample(now: now)

        #expect(sample.time == now)
        #expect(sample.cpu == nil)
        #expect(sample.load == LoadAverage(one: 0.08, five: 0.12, fifteen: 0.10))
        #expect(sample.memory == MemoryUsage(
            totalBytes: 3_882_400 * 1024, availableBytes: 3_421_004 * 1024,
            swapTotalBytes: 102_396 * 1024, swapUsedBytes: 10_240 * 1024
        ))
        #expect(sample.network == [
            NetworkCounters(interface: "eth0", rxBytes: 1_928_374_650, txBytes: 283_746_512),
            NetworkCounters(interface: "wlan0", rxBytes: 0, txBytes: 0),
        ])
        #expect(sample.uptimeSeconds == 86400.52)
        #expect(sample.temperatures == [
            TemperatureReading(sensor: "cpu-thermal", celsius: 48.312),
            TemperatureReading(sensor: "cpu_thermal/temp1", celsius: 48.7),
        ])
        // The bind mount of the same card is counted once; the missing /boot mount point fails statvfs and is skipped.
        let filesystems = try #require(sample.filesystems)
        #expect(filesystems.map(\.mountPoint) == [tree.root + "/data", tree.root + "/mnt/My Disk"])
        #expect(filesystems.map(\.device) == ["/dev/mmcblk0p2", "/dev/sda1"])
        for filesystem in filesystems {
            #expect(filesystem.type == "ext4")
            #expect(filesystem.sizeBytes > 0)
            #expect(filesystem.usedBytes <= filesystem.sizeBytes)
            #expect(filesystem.availableBytes <= filesystem.sizeBytes)
        }
    }

    @Test("an x86 tree names hwmon sensors by chip and label, in numeric order")
    func x86Temperatures() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try Fixtures.writeX86(into: tree)
        var sampler = MetricsSampler(paths: tree.paths)

        let sample = sampler.sample(now: Date())

        #expect(sample.temperatures == [
            TemperatureReading(sensor: "acpitz", celsius: 27.8),
            TemperatureReading(sensor: "x86_pkg_temp", celsius: 45),
            TemperatureReading(sensor: "coretemp/Package id 0", celsius: 45),
            TemperatureReading(sensor: "coretemp/Core 0", celsius: 43),
            TemperatureReading(sensor: "coretemp/Core 8", celsius: 44),
            TemperatureReading(sensor: "nvme/temp1", celsius: -1.5),
        ])
    }

    @Test("CPU use is computed from the counters of two successive /proc/stat readings")
    func cpuPercentFromTwoReadings() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.write("proc/stat", Fixtures.stat(
            total: "100 0 100 700 100 0 0 0 0 0",
            cores: ["50 0 50 350 50 0 0 0 0 0", "50 0 50 350 50 0 0 0 0 0"]
        ))
        var sampler = MetricsSampler(paths: tree.paths)
        #expect(sampler.sample(now: Date()).cpu == nil)

        // cpu0: 200 jiffies, 160 idle or iowait -> 20 %; cpu1: 200 jiffies, 50 idle -> 75 %; all: 400, 210 -> 47.5 %.
        try tree.write("proc/stat", Fixtures.stat(
            total: "230 0 160 890 120 0 0 0 0 0",
            cores: ["80 0 60 500 60 0 0 0 0 0", "150 0 100 390 60 0 0 0 0 0"]
        ))
        #expect(sampler.sample(now: Date()).cpu == CPUUsage(totalPercent: 47.5, perCorePercent: [20, 75]))

        // No time passing between two readings is 0 %, not a division by zero.
        #expect(sampler.sample(now: Date()).cpu == CPUUsage(totalPercent: 0, perCorePercent: [0, 0]))
    }

    @Test("missing sources are nil, never zero")
    func missingSourcesAreNil() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.write("proc/cpuinfo", "processor\t: 0\n")
        try tree.write("sys/class/dmi/id/product_name", "To be filled by O.E.M.\n")
        try tree.makeDirectory("sys/class/thermal")
        try tree.makeDirectory("sys/devices/system/cpu/cpu0")
        let identity = KernelIdentity(hostname: "bare", architecture: "riscv64", kernel: nil)

        let facts = FactsCollector(paths: tree.paths, agentVersion: "0.1.0", identity: identity).collect()
        var sampler = MetricsSampler(paths: tree.paths)
        let sample = sampler.sample(now: Date())
        let second = sampler.sample(now: Date())

        #expect(facts.os == nil)
        #expect(facts.cpu == CPUInfo(model: nil, cores: 1, maxFrequencyMHz: nil))
        #expect(facts.memoryBytes == nil)
        #expect(facts.swapBytes == nil)
        #expect(facts.boardModel == nil)
        #expect(facts.bootTime == nil)
        #expect(sample.cpu == nil && second.cpu == nil)
        #expect(sample.load == nil)
        #expect(sample.memory == nil)
        #expect(sample.filesystems == nil)
        #expect(sample.network == nil)
        #expect(sample.uptimeSeconds == nil)
        #expect(sample.temperatures == nil)
    }

    @Test("an unreadable thermal zone is skipped, not read as 0 °C")
    func unreadableZoneIsSkipped() throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try tree.write("sys/class/thermal/thermal_zone0/type", "iwlwifi_1\n")
        try tree.makeDirectory("sys/class/thermal/thermal_zone0/temp")
        try tree.write("sys/class/thermal/thermal_zone1/type", "acpitz\n")
        try tree.write("sys/class/thermal/thermal_zone1/temp", "\n")
        try tree.write("sys/class/thermal/thermal_zone2/temp", "51000\n")

        #expect(TemperatureSensors.read(sys: tree.paths.sys) == [TemperatureReading(sensor: "thermal_zone2", celsius: 51)])
    }

    @Test("the device sampler combines facts and samples, with Docker absent when no socket answers")
    func deviceSamplerFacade() async throws {
        let tree = try FixtureTree()
        defer { tree.remove() }
        try Fixtures.writePi4(into: tree)
        let sampler = DeviceSampler(paths: tree.paths, agentVersion: "0.1.0", docker: DockerProbe(socketPath: tree.root + "/no-docker.sock"))

        #expect(sampler.facts().boardModel == "Raspberry Pi 4 Model B Rev 1.4")
        let first = await sampler.sample()
        let second = await sampler.sample()

        #expect(first.cpu == nil)
        #expect(second.cpu == CPUUsage(totalPercent: 0, perCorePercent: [0, 0, 0, 0]))
        #expect(second.docker == nil)
    }
}
