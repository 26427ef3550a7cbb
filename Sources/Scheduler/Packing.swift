/// What a placement costs the homelab's room, by which equally good placements are told apart (best fit): the one that
/// strands the least RAM behind a full disk, then takes the least always-on room from apps that need it, then leaves
/// the least RAM unused, keeping large holes for large apps.
struct Packing {
    /// Storage kept free on every device, as a share of its total: below it a placement is a weak point (a full disk breaks apps).
    static let storageMargin = 0.1

    /// What one placement costs; less is better, field by field.
    struct Cost: Comparable {
        /// RAM left on the devices used that their storage above the margin can no longer serve, at the homelab's
        /// storage per byte of RAM: RAM no typical app can use any more.
        var strandedMemory: Int64
        /// Components that need not be always on, placed on always-on devices.
        var alwaysOnRoomTaken: Int
        /// RAM left free on the devices used.
        var leftover: Int64

        static func < (a: Cost, b: Cost) -> Bool {
            (a.strandedMemory, a.alwaysOnRoomTaken, a.leftover) < (b.strandedMemory, b.alwaysOnRoomTaken, b.leftover)
        }

        /// Why this cost beats `other`, as the placement's reason says it.
        func because(_ other: Cost) -> String {
            if strandedMemory < other.strandedMemory { return "it strands less RAM behind a nearly full disk" }
            if alwaysOnRoomTaken < other.alwaysOnRoomTaken { return "it leaves the always-on devices' room to apps that need them" }
            return "it leaves less RAM unused, keeping room for larger apps"
        }
    }

    let devices: [String: DeviceState]
    /// Bytes of storage per byte of RAM of the homelab's apps: those already placed, and this one.
    let storagePerMemory: Double

    init(devices: [DeviceState], request: PlacementRequest) {
        self.devices = Dictionary(devices.map { ($0.name, $0) }) { first, _ in first }
        let apps = devices.flatMap(\.apps)
        let storage = apps.map(\.storageBytes).reduce(0, +) + request.components.map(\.storageBytes).reduce(0, +)
        let memory = apps.map(\.memoryBytes).reduce(0, +) + request.components.map(\.memoryBytes).reduce(0, +)
        storagePerMemory = memory > 0 ? Double(storage) / Double(memory) : 0
    }

    /// Whether `device` keeps the storage margin after `storage` more bytes (unknown figures: nothing to judge by, so yes).
    func keepsMargin(_ device: String, storage: Int64) -> Bool {
        guard let state = devices[device], let free = state.storageAvailableBytes, let total = state.storageTotalBytes, total > 0 else { return true }
        return Double(free - storage) / Double(total) >= Self.storageMargin
    }

    /// The cost of placing these components on these devices (summed per device).
    func cost(_ placed: [(component: PlacementRequest.Component, device: String)]) -> Cost {
        var memory: [String: Int64] = [:], storage: [String: Int64] = [:]
        var cost = Cost(strandedMemory: 0, alwaysOnRoomTaken: 0, leftover: 0)
        for (component, device) in placed {
            memory[device, default: 0] += component.memoryBytes
            storage[device, default: 0] += component.storageBytes
            if !(component.alwaysOn || component.prefer.contains(.alwaysOn)), devices[device]?.effectiveTraits.contains(.alwaysOn) == true {
                cost.alwaysOnRoomTaken += 1
            }
        }
        for (device, need) in memory {
            let state = devices[device]
            let left = (state?.freeMemory ?? need) - need
            cost.leftover += left
            guard storagePerMemory > 0, let free = state?.storageAvailableBytes, let total = state?.storageTotalBytes else { continue }
            let usable = max(0, Double(free - storage[device, default: 0]) - Self.storageMargin * Double(total))
            cost.strandedMemory += max(0, left - Int64(min(usable / storagePerMemory, Double(Int64.max / 2))))
        }
        return cost
    }
}
