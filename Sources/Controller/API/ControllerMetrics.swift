import Foundation
import Prometheus
import Protocol

/// The controller's Prometheus metrics, served at `/metrics`.
public final class ControllerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Creates the metric families.
    public init() {
        registry.makeGauge(name: "homelab_build_info", labels: [("version", ControllerVersion.current)]).set(Double(1))
    }

    /// Refreshes the device gauges from the registry and renders the text exposition format.
    func render(registry devices: DeviceRegistry) async -> String {
        let list = (try? await devices.list()) ?? []
        for status in DeviceStatus.allCases {
            registry.makeGauge(name: "homelab_devices", labels: [("status", status.rawValue)])
                .set(Double(list.filter { $0.status == status }.count))
        }
        for device in list {
            let labels = [("device", device.name)]
            if let cpu = device.metrics?.cpu?.totalPercent {
                registry.makeGauge(name: "homelab_device_cpu_percent", labels: labels).set(cpu)
            }
            if let memory = device.metrics?.memory {
                registry.makeGauge(name: "homelab_device_memory_used_bytes", labels: labels).set(Double(memory.usedBytes))
                registry.makeGauge(name: "homelab_device_memory_total_bytes", labels: labels).set(Double(memory.totalBytes))
            }
            registry.makeGauge(name: "homelab_device_online", labels: labels).set(device.status == .online ? Double(1) : Double(0))
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
