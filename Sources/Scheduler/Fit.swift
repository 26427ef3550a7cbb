import Foundation

/// How tightly a component fills a device (best fit, Nomad's BestFit-v3 extended to storage): after the app, each
/// of RAM, storage and CPU counts `(10 − 10^free) / 9`, 1 when full and 0 when empty, and the score is their mean.
/// A fuller device scores higher, so small apps fill the devices already in use and large holes stay for large apps.
struct Fit {
    /// Share of each resource left free after the app, 0-1; nil where the device has not reported it.
    let memory: Double?
    let storage: Double?
    let cpu: Double?

    init(_ device: DeviceState, _ component: PlacementRequest.Component) {
        func share(_ free: Int64?, _ total: Int64?, _ need: Int64) -> Double? {
            guard let free, let total, total > 0 else { return nil }
            return Double(free - need) / Double(total)
        }
        memory = share(device.freeMemory, device.memoryTotalBytes, component.memoryBytes)
        storage = share(device.storageAvailableBytes, device.storageTotalBytes, component.storageBytes)
        cpu = device.cpuCapacityGHz.map { capacity in
            1 - (device.cpuBusyPercent ?? 50) / 100 - Scheduler.ghzPerCPUWeight * Double(component.cpuWeight) / capacity
        }
    }

    /// 0-100: the mean fill of the resources known; 50 when none is.
    var score: Double {
        let known = [memory, storage, cpu].compactMap { $0 }
        guard !known.isEmpty else { return 50 }
        return known.map { (10 - pow(10, min(1, max(0, $0)))) / 9 }.reduce(0, +) / Double(known.count) * 100
    }

    /// "after this app: 45 % of RAM free, 30 % of storage, 70 % of CPU".
    var note: String {
        let parts = [("RAM", memory), ("storage", storage), ("CPU", cpu)].compactMap { name, share in
            share.map { "\(Int((max(0, $0) * 100).rounded())) % of \(name)" }
        }
        return parts.isEmpty ? "unknown" : "after this app: " + parts.joined(separator: ", ") + " free"
    }
}

extension Scheduler {
    /// What one unit of a recipe's CPU weight stands for.
    static let ghzPerCPUWeight = 0.5
}

extension DeviceState {
    /// Cores × GHz (1.5 GHz when the frequency is unknown); nil without a core count.
    var cpuCapacityGHz: Double? { cores.map { Double($0) * (cpuMHz ?? 1500) / 1000 } }
}
