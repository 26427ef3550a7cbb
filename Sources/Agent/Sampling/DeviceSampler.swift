import FoundationEssentials
import Protocol

/// One place for the agent to ask for facts and samples, Docker included.
///
/// An actor because CPU use is computed against the previous sample, which every caller shares.
public actor DeviceSampler {
    /// Collects the device's facts.
    public nonisolated let collector: FactsCollector
    /// Asks Docker for its status; `nil` never asks.
    public nonisolated let docker: DockerProbe?
    /// Samples the device's live state and keeps the previous CPU counters.
    private var metrics: MetricsSampler
    /// The declared profile that caps what is reported (lab devices), if any.
    public nonisolated let profile: HardwareProfile?
    /// With a profile: the cgroup of the device's containers, whose memory counts as the device's own.
    nonisolated let containers: CgroupMemory?

    /// Creates a sampler over `paths` that asks `docker` (the default socket unless told otherwise); a profiled device
    /// counts the memory of `memoryCgroup` (its dockerd's cgroup parent) as used.
    public init(paths: HostPaths = .host, agentVersion: String, docker: DockerProbe? = DockerProbe(), profile: HardwareProfile? = nil,
                memoryCgroup: String? = nil) {
        self.collector = FactsCollector(paths: paths, agentVersion: agentVersion)
        self.metrics = MetricsSampler(paths: paths)
        self.docker = docker
        self.profile = profile
        self.containers = profile == nil ? nil : memoryCgroup.map { CgroupMemory(path: $0) }
    }

    /// The device's facts.
    public nonisolated func facts() -> DeviceFacts {
        let facts = collector.collect()
        return profile?.capping(facts) ?? facts
    }

    /// A sample of the live state with Docker's status; CPU use covers the time since the previous call.
    public func sample(now: Date = Date()) async -> MetricsSample {
        // The counters are taken and stored before the suspension, so concurrent callers never share an interval.
        var sample = metrics.sample(now: now)
        sample.docker = await docker?.status()
        return profile?.capping(sample, containers: containers?.used()) ?? sample
    }
}
