import Recipes

/// The homelab a device is judged in. Power is relative: a 15 W NAS is low power beside a 45 W laptop,
/// not beside a 5 W Pi.
public struct Homelab: Sendable, Equatable {
    /// Above this draw nothing counts as low power, whatever the others draw.
    static let lowPowerCeiling = 25.0
    /// What a single-board computer draws: always low power, whatever the others draw.
    static let boardWatts = 8.0

    /// The lowest power draw among the online devices that report one.
    public let lowestWatts: Double?

    /// Share of the RAM of the online always-on devices in use, 0-1: how scarce always-on room is.
    public let alwaysOnMemoryInUse: Double
    /// Share of the RAM of the online x86 devices in use, 0-1, when the homelab has ARM devices too (else nil):
    /// how scarce room is for apps built for x86 alone.
    public let x86MemoryInUse: Double?

    /// The homelab of these devices.
    public init(_ devices: [DeviceState]) {
        let online = devices.filter(\.online)
        lowestWatts = online.compactMap(\.watts).filter { $0 > 0 }.min()
        func inUse(_ devices: [DeviceState]) -> Double {
            let figures = devices.compactMap { device in device.memoryTotalBytes.flatMap { total in device.freeMemory.map { (total, $0) } } }
            let total = figures.map(\.0).reduce(0, +)
            return total > 0 ? Double(total - figures.map { min($0.0, max(0, $0.1)) }.reduce(0, +)) / Double(total) : 0
        }
        alwaysOnMemoryInUse = inUse(online.filter { $0.effectiveTraits.contains(.alwaysOn) })
        let x86 = online.filter { $0.architecture.flatMap(RecipeArchitecture.init(machine:)) == .amd64 }
        x86MemoryInUse = x86.count < online.count ? inUse(x86) : nil
    }

    /// The device's traits here: its own (``DeviceState/effectiveTraits``) plus low power when it draws little beside the others.
    public func traits(of device: DeviceState) -> Set<DeviceTrait> {
        var traits = device.effectiveTraits
        if isLowPower(device) { traits.insert(.lowPower) }
        return traits
    }

    /// At most twice the homelab's lowest draw, or at most what a Raspberry Pi draws (8 W), and never above 25 W;
    /// without a figure, an ARM board (or a device whose labels declare it).
    public func isLowPower(_ device: DeviceState) -> Bool {
        if device.traits.contains(.lowPower) { return true }
        guard let watts = device.watts else {
            return device.architecture.map { RecipeArchitecture(machine: $0) != .amd64 } ?? false
        }
        let lowest = min(lowestWatts ?? watts, watts)
        return watts <= Self.lowPowerCeiling && watts <= max(Self.boardWatts, 2 * lowest)
    }

    /// 100 for the homelab's lowest draw, 4 points less per watt above it (every watt runs all year);
    /// 80 for a low-power device without a figure, 50 for another.
    func powerScore(_ device: DeviceState) -> Double {
        guard let watts = device.watts else { return isLowPower(device) ? 80 : 50 }
        return 100 - 4 * (watts - min(lowestWatts ?? watts, watts))
    }
}
