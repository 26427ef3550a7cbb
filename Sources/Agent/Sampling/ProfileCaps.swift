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

    /// The sample as this profile's device would report it: memory and the root filesystem capped.
    func capping(_ sample: MetricsSample) -> MetricsSample {
        var sample = sample
        if let memoryBytes, var memory = sample.memory, memory.totalBytes > memoryBytes {
            let used = min(memory.usedBytes, memoryBytes)
            memory.totalBytes = memoryBytes
            memory.availableBytes = memoryBytes - used
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
        let used = min(filesystem.usedBytes, size)
        filesystem.sizeBytes = size
        filesystem.usedBytes = used
        filesystem.availableBytes = min(filesystem.availableBytes, size - used)
        return filesystem
    }
}
