import Foundation
import Recipes
@testable import Scheduler
import Testing

/// Moves that relieve one overloaded device, from the rebalance planning's rules.
@Suite("Relieving an overloaded device")
struct RelieveTests {
    static let gib = Mock.gib

    /// A NAS with 8 of 16 GB and 2 of 4 TB free.
    static var nas: DeviceState {
        Mock.nas().with {
            $0.memoryTotalBytes = 16 * gib
            $0.memoryAvailableBytes = 8 * gib
            $0.storageTotalBytes = 4096 * gib
            $0.storageAvailableBytes = 2048 * gib
        }
    }

    static func app(_ deployment: String, _ gib: Double, storage: Int64 = 0) -> DeployedApp {
        DeployedApp(recipe: deployment, deployment: deployment, memoryBytes: Int64(gib * Double(Self.gib)), storageBytes: storage)
    }

    /// A Pi 4 at 95 % of its 4 GB: jellyfin holds 1.4 GB of it, pihole 0.1 GB.
    static var pressedPi: DeviceState {
        var pi = Mock.pi4("pi-4")
        pi.memoryTotalBytes = 4 * gib
        pi.storageTotalBytes = 32 * gib
        pi.storageAvailableBytes = 4 * gib
        pi.architecture = "x86_64"  // the lab's devices share one architecture
        pi.memoryAvailableBytes = Int64(0.2 * Double(gib))
        pi.apps = [app("jellyfin", 1.4), app("pihole", 0.1)]
        return pi
    }

    @Test("the app whose move relieves the device most goes to the always-on device with room, and says why")
    func suggestsTheRightAppAndDestination() throws {
        let nas = Self.nas
        var laptop = Mock.laptop()
        laptop.memoryAvailableBytes = 15 * Self.gib
        let reliefs = Scheduler().relieve(Mock.homelab([Self.pressedPi, nas, laptop]), device: "pi-4", resource: .memory)
        let best = try #require(reliefs.first)
        #expect(best.app.deployment == "jellyfin")
        #expect(best.to == "nas", "an always-on app's device is always on: the laptop is not")
        #expect(best.reason == "8 GB RAM free, always on")
        #expect(abs(best.fromBefore - 95) < 0.01)
        #expect(abs(best.fromAfter - 60) < 0.01)
        #expect(best.gain == 35)
        #expect(reliefs.map { $0.app.deployment } == ["jellyfin", "pihole"], "one move per app, best first")
    }

    @Test("a pinned app stays; the next best is suggested, and none when every app is pinned")
    func pinnedAppsStay() {
        let snapshot = Mock.homelab([Self.pressedPi, Self.nas])
        let reliefs = Scheduler().relieve(snapshot, device: "pi-4", resource: .memory) { $0.deployment != "jellyfin" }
        #expect(reliefs.map { $0.app.deployment } == ["pihole"])
        #expect(Scheduler().relieve(snapshot, device: "pi-4", resource: .memory) { _ in false }.isEmpty)
    }

    @Test("no move when no other device can take the app: too little RAM, another architecture, or offline")
    func nowhereToGo() {
        var small = Self.nas
        small.memoryAvailableBytes = Self.gib
        var arm = Self.nas
        arm.name = "arm-nas"
        arm.architecture = "aarch64"
        var off = Self.nas
        off.name = "off"
        off.online = false
        var pi = Self.pressedPi
        pi.apps = [Self.app("jellyfin", 1.4)]
        #expect(Scheduler().relieve(Mock.homelab([pi, small, arm, off]), device: "pi-4", resource: .memory).isEmpty)
    }

    @Test("a full disk is relieved by the app holding the most storage")
    func storage() throws {
        var pi = Self.pressedPi
        pi.memoryAvailableBytes = 3 * Self.gib
        pi.storageAvailableBytes = 1 * Self.gib  // 31 of 32 GB used
        pi.apps = [Self.app("nextcloud", 0.5, storage: 20 * Self.gib), Self.app("pihole", 0.1, storage: Self.gib)]
        let best = try #require(Scheduler().relieve(Mock.homelab([pi, Self.nas]), device: "pi-4", resource: .storage).first)
        #expect(best.app.deployment == "nextcloud")
        #expect(best.reason == "2 TB storage free, always on")
    }
}
