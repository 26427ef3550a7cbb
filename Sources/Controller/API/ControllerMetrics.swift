import Foundation
import Prometheus
import Protocol
import Synchronization

/// The controller's Prometheus metrics, served at `/metrics`: the homelab's counts, a gauge family per device
/// (`device` label) and per app (`deployment`, `device` labels). Series of a device or an app that is gone disappear
/// with it. `promtool check metrics` accepts the exposition (a test runs it).
public final class ControllerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Per-device and per-app gauges by device or deployment name, so the series of one that is gone can be removed.
    private let subjectGauges = Mutex<[String: [Gauge]]>([:])
    /// Network counters per device: the counter, and the device's own byte count it was last brought to.
    private let networkCounters = Mutex<[String: (counter: Prometheus.Counter, value: Int64)]>([:])

    /// Creates the metric families.
    public init() {
        registry.makeGauge(descriptor: Self.name("build", "info", "The controller's version (always 1)."), labels: [("version", ControllerVersion.current)])
            .set(Double(1))
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "homelab", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one discovery datagram by what became of it (`homelab_discovery_datagrams_total{outcome}`).
    public func countDiscoveryDatagram(outcome: String) {
        registry.makeCounter(descriptor: Self.name("discovery_datagrams", "total", "Discovery datagrams received, by what became of them."),
                             labels: [("outcome", outcome)]).increment()
    }

    /// Refreshes the gauges and renders the text exposition format.
    public func render(registry devices: DeviceRegistry, deployments: DeploymentService? = nil, jobs: JobRunner? = nil) async -> String {
        if let jobs {
            registry.makeGauge(descriptor: Self.name("jobs_unreadable", "", "Stored jobs whose rows no longer decode."), labels: [])
                .set(Double(jobs.unreadableJobs))
            let active = (try? await jobs.store.jobs(JobFilter(active: true))) ?? []
            registry.makeGauge(descriptor: Self.name("jobs_active", "", "Jobs under way."), labels: []).set(Double(active.count))
        }
        var current: [String: [Gauge]] = [:]
        let list = (try? await devices.list()) ?? []
        for status in DeviceStatus.allCases {
            registry.makeGauge(descriptor: Self.name("devices", "", "Devices by status."), labels: [("status", status.rawValue)])
                .set(Double(list.filter { $0.status == status }.count))
        }
        for device in list { current["device/\(device.name)"] = deviceGauges(device) }
        if let deployments {
            let apps = (try? await deployments.list()) ?? []
            for state in DeploymentState.allCases {
                registry.makeGauge(descriptor: Self.name("deployments", "", "Deployments by state."), labels: [("state", state.rawValue)])
                    .set(Double(apps.filter { $0.state == state }.count))
            }
            let health = Dictionary(((try? await deployments.health()) ?? []).map { ($0.deployment, $0) }) { first, _ in first }
            let usage = (try? await devices.history.latest("deployment", within: 600, now: Date())) ?? [:]
            for app in apps { current["deployment/\(app.name)"] = appGauges(app, health: health[app.name], usage: usage[app.id] ?? [:]) }
        }
        let stale = subjectGauges.withLock { previous -> [Gauge] in
            defer { previous = current }
            let kept = Set(current.values.flatMap { $0 }.map(ObjectIdentifier.init))
            return previous.values.flatMap { $0 }.filter { !kept.contains(ObjectIdentifier($0)) }
        }
        for gauge in stale { registry.unregisterGauge(gauge) }
        let names = Set(list.map(\.name))
        let gone = networkCounters.withLock { counters in
            let gone = counters.filter { !names.contains(String($0.key.split(separator: "/").dropLast().joined(separator: "/"))) }
            for key in gone.keys { counters.removeValue(forKey: key) }
            return gone.values.map(\.counter)
        }
        for counter in gone { registry.unregisterCounter(counter) }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// A device's gauges: online, health, CPU, memory, each filesystem, the hottest sensor, uptime, load; and its network counters.
    private func deviceGauges(_ device: DeviceResource) -> [Gauge] {
        let labels = [("device", device.name)]
        var gauges: [Gauge] = []
        func gauge(_ metric: String, _ unit: String, _ help: String, _ value: Double, _ extra: [(String, String)] = []) {
            let gauge = registry.makeGauge(descriptor: Self.name(metric, unit, help), labels: labels + extra)
            gauge.set(value)
            gauges.append(gauge)
        }
        gauge("device_online", "", "1 while the device's agent is connected.", device.status == .online ? 1 : 0)
        if let health = device.health {
            for level in HealthLevel.allCases {
                gauge("device_health", "", "1 for the device's health colour (green, yellow, red, unknown), 0 for the others.",
                      health.level == level ? 1 : 0, [("level", level.rawValue)])
            }
        }
        guard let metrics = device.metrics else { return gauges }
        if let cpu = metrics.cpu?.totalPercent { gauge("device_cpu_usage", "ratio", "CPU busy, all cores together (0-1).", cpu / 100) }
        if let memory = metrics.memory {
            gauge("device_memory_used", "bytes", "Memory in use (total - available).", Double(memory.usedBytes))
            gauge("device_memory_total", "bytes", "Memory in all.", Double(memory.totalBytes))
        }
        for filesystem in SeriesValues.disks(metrics.filesystems ?? []) {
            let mount = [("mountpoint", filesystem.mountPoint)]
            gauge("device_filesystem_used", "bytes", "Bytes used on a real filesystem.", Double(filesystem.usedBytes), mount)
            gauge("device_filesystem_size", "bytes", "Size of a real filesystem (used + available to users).",
                  Double(filesystem.usedBytes + filesystem.availableBytes), mount)
        }
        if let hottest = metrics.temperatures?.map(\.celsius).max() {
            gauge("device_temperature", "celsius", "The hottest sensor.", hottest)
        }
        if let uptime = metrics.uptimeSeconds { gauge("device_uptime", "seconds", "Seconds since the device booted.", uptime) }
        if let load = metrics.load { gauge("device_load1", "", "1-minute load average.", load.one) }
        if let network = metrics.network {
            count(device.name, "received", network.reduce(0) { $0 + Int64(clamping: $1.rxBytes) })
            count(device.name, "sent", network.reduce(0) { $0 + Int64(clamping: $1.txBytes) })
        }
        return gauges
    }

    /// Brings a device's network counter to the device's own count; a count that went down (a reboot) starts a new counter.
    private func count(_ device: String, _ direction: String, _ value: Int64) {
        let descriptor = Self.name("device_network_\(direction)", "bytes_total", "Bytes \(direction) on every interface but loopback, since the device booted.")
        networkCounters.withLock { counters in
            let key = "\(device)/\(direction)"
            if let entry = counters[key], value >= entry.value {
                entry.counter.increment(by: value - entry.value)
                counters[key] = (entry.counter, value)
                return
            }
            if let old = counters[key]?.counter { registry.unregisterCounter(old) }
            let counter = registry.makeCounter(descriptor: descriptor, labels: [("device", device)])
            counter.increment(by: value)
            counters[key] = (counter, value)
        }
    }

    /// An app's gauges: up, health, CPU in cores, memory, restarts in the last hour.
    private func appGauges(_ app: DeploymentResource, health: AppHealth?, usage: [MetricsSeriesName: Double]) -> [Gauge] {
        let labels = [("deployment", app.name), ("device", app.devices)]
        var gauges: [Gauge] = []
        func gauge(_ metric: String, _ unit: String, _ help: String, _ value: Double, _ extra: [(String, String)] = []) {
            let gauge = registry.makeGauge(descriptor: Self.name(metric, unit, help), labels: labels + extra)
            gauge.set(value)
            gauges.append(gauge)
        }
        gauge("app_up", "", "1 while the deployment runs and all its containers do.",
              app.state == .running && health.map { $0.running == $0.containers && $0.containers > 0 } == true ? 1 : 0)
        if let health {
            for level in HealthLevel.allCases {
                gauge("app_health", "", "1 for the app's health colour (green, yellow, red, unknown), 0 for the others.",
                      health.level == level ? 1 : 0, [("level", level.rawValue)])
            }
            gauge("app_restarts_last_hour", "", "Container exits the devices reported in the last hour.", Double(health.restartsLastHour))
        }
        if let cpu = usage[.cpu] { gauge("app_cpu_usage", "cores", "CPU in use by the app's containers, in cores.", cpu / 100) }
        if let memory = usage[.memory] { gauge("app_memory_used", "bytes", "Memory in use by the app's containers (page cache excluded).", memory) }
        return gauges
    }
}
