import Protocol

/// How a declared ``HardwareProfile`` bounds what the agent reports: never more than the profile
/// says, never more than the machine has, and the profile itself in the facts.
extension HardwareProfile {
    /// The facts as this profile's device would report them.
    func capping(_ facts: DeviceFacts) -> DeviceFacts {
        var facts = facts
        if let memoryBytes { facts.memoryBytes = min(facts.memoryBytes ?? memoryBytes, memoryBytes) }
        if let cores { facts.cpu.cores = min(facts.cpu.cores, cores) }
        if let architecture { facts.architecture = architecture }
        facts.profile = self
        return facts
    }

    /// The sample as this profile's device would report it: memory and the root filesystem capped; `containers`
    /// bytes (what the device's own containers use) are in use on top of its share of the machine's.
    func capping(_ sample: MetricsSample, containers: UInt64? = nil) -> MetricsSample {
        var sample = sample
        if let memoryBytes, var memory = sample.memory, memory.totalBytes > memoryBytes {
            // The machine's share of memory in use, applied to the smaller device: a lab device
            // shares its host, whose absolute use would fill a Pi Zero's 512 MB at once.
            memory.availableBytes = Self.scale(memory.availableBytes, of: memory.totalBytes, to: memoryBytes)
            memory.totalBytes = memoryBytes
            if let containers { memory.availableBytes -= min(memory.availableBytes, containers) }
            sample.memory = memory
        }
        if let diskBytes {
            sample.filesystems = sample.filesystems.map { $0.map { capping($0, to: diskBytes) } }
        }
        if let cores, var cpu = sample.cpu, cpu.perCorePercent.count > cores {
            cpu.perCorePercent = Array(cpu.perCorePercent.prefix(cores))
            sample.cpu = cpu
        }
        return sample
    }

    private func capping(_ filesystem: FilesystemUsage, to size: UInt64) -> FilesystemUsage {
        guard filesystem.mountPoint == "/", filesystem.sizeBytes > size else { return filesystem }
        var filesystem = filesystem
        filesystem.usedBytes = Self.scale(filesystem.usedBytes, of: filesystem.sizeBytes, to: size)
        filesystem.availableBytes = Self.scale(filesystem.availableBytes, of: filesystem.sizeBytes, to: size)
        filesystem.sizeBytes = size
        return filesystem
    }

    /// `part` of `whole`, as the same share of `target`.
    static func scale(_ part: UInt64, of whole: UInt64, to target: UInt64) -> UInt64 {
        guard whole > 0 else { return 0 }
        return UInt64((Double(min(part, whole)) / Double(whole) * Double(target)).rounded(.down))
    }
}
