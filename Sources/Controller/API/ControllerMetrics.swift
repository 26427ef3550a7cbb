import Foundation
import Prometheus
import Protocol
import Synchronization

/// The controller's Prometheus metrics, served at `/metrics`.
public final class ControllerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Per-device gauges by device name, so a removed device's series disappear with it.
    private let deviceGauges = Mutex<[String: [Gauge]]>([:])

    /// Creates the metric families.
    public init() {
        registry.makeGauge(name: "homelab_build_info", labels: [("version", ControllerVersion.current)]).set(Double(1))
    }

    /// Counts one discovery datagram by what became of it (`homelab_discovery_datagrams_total{outcome}`).
    public func countDiscoveryDatagram(outcome: String) {
        registry.makeCounter(name: "homelab_discovery_datagrams_total", labels: [("outcome", outcome)]).increment()
    }

    /// Refreshes the device and deployment gauges and renders the text exposition format.
    public func render(registry devices: DeviceRegistry, deployments: DeploymentService? = nil, jobs: JobRunner? = nil) async -> String {
        if let jobs {
            registry.makeGauge(name: "homelab_jobs_unreadable", labels: []).set(Double(jobs.unreadableJobs))
            let active = (try? await jobs.store.jobs(JobFilter(active: true))) ?? []
            registry.makeGauge(name: "homelab_jobs_active", labels: []).set(Double(active.count))
        }
        if let deployments {
            let apps = (try? await deployments.list()) ?? []
            for state in DeploymentState.allCases {
                registry.makeGauge(name: "homelab_deployments", labels: [("state", state.rawValue)]).set(Double(apps.filter { $0.state == state }.count))
            }
        }
        let list = (try? await devices.list()) ?? []
        for status in DeviceStatus.allCases {
            registry.makeGauge(name: "homelab_devices", labels: [("status", status.rawValue)])
                .set(Double(list.filter { $0.status == status }.count))
        }
        var current: [String: [Gauge]] = [:]
        for device in list {
            let labels = [("device", device.name)]
            var gauges: [Gauge] = []
            func gauge(_ name: String, _ value: Double) {
                let gauge = registry.makeGauge(name: name, labels: labels)
                gauge.set(value)
                gauges.append(gauge)
            }
            gauge("homelab_device_online", device.status == .online ? 1 : 0)
            if let cpu = device.metrics?.cpu?.totalPercent { gauge("homelab_device_cpu_percent", cpu) }
            if let memory = device.metrics?.memory {
                gauge("homelab_device_memory_used_bytes", Double(memory.usedBytes))
                gauge("homelab_device_memory_total_bytes", Double(memory.totalBytes))
            }
            current[device.name] = gauges
        }
        let stale = deviceGauges.withLock { previous -> [Gauge] in
            defer { previous = current }
            return previous.filter { current[$0.key] == nil }.flatMap(\.value)
        }
        for gauge in stale { registry.unregisterGauge(gauge) }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
