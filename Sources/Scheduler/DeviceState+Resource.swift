import Foundation
import Protocol
import Recipes

extension DeviceState {
    /// A device as the registry serves it, for the scheduler. Labels declare what figures cannot show:
    /// `always-on=true`, `watts=7`, `gpu=true`, `traits=storage-optimized,low-power`, `group=attic`,
    /// `draining=true`; a lab device's hardware profile counts as declared too.
    public init(_ device: DeviceResource) {
        let labels = device.labels
        let largest = device.metrics?.filesystems?.max { $0.sizeBytes < $1.sizeBytes }
        func list(_ key: String) -> [String] {
            (labels[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        self.init(
            name: device.name, online: device.status == .online, draining: labels["draining"] == "true",
            architecture: device.facts?.architecture, cores: device.facts?.cpu.cores, cpuMHz: device.facts?.cpu.maxFrequencyMHz,
            cpuBusyPercent: device.metrics?.cpu?.totalPercent,
            memoryTotalBytes: (device.metrics?.memory?.totalBytes ?? device.facts?.memoryBytes).map { Int64(clamping: $0) },
            memoryAvailableBytes: device.metrics?.memory.map { Int64(clamping: $0.availableBytes) },
            storageTotalBytes: largest.map { Int64(clamping: $0.sizeBytes) }, storageAvailableBytes: largest.map { Int64(clamping: $0.availableBytes) },
            alwaysOn: labels["always-on"].map { $0 == "true" } ?? device.facts?.profile?.alwaysOn,
            watts: labels["watts"].flatMap(Double.init) ?? device.facts?.profile?.watts, gpu: labels["gpu"] == "true",
            traits: list("traits").compactMap(DeviceTrait.init(rawValue:)), groups: list("group"))
    }
}
