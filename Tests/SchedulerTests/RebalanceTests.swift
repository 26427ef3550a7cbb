import Testing
@testable import Scheduler

@Suite("Rebalancing")
struct RebalanceTests {
    static let gib = Mock.gib
    static func app(_ name: String, _ gib: Int64) -> DeployedApp { DeployedApp(recipe: name, memoryBytes: gib * Self.gib) }

    @Test("moves leave the most pressed device for the least, each with its gain, until nothing gains a point")
    func moves() throws {
        let full = Mock.nas("full").with {
            $0.memoryTotalBytes = 16 * Self.gib
            $0.memoryAvailableBytes = 2 * Self.gib  // 14 of 16 GB used: 87.5 %
            $0.apps = [Self.app("immich", 4), Self.app("jellyfin", 2), Self.app("gitea", 1)]
        }
        let idle = Mock.nas("idle").with { $0.memoryTotalBytes = 16 * Self.gib; $0.memoryAvailableBytes = 14 * Self.gib }  // 12.5 %
        let moves = Scheduler().rebalance(Mock.homelab([full, idle]))
        let first = try #require(moves.first)
        #expect(first.app == "immich" && first.from == "full" && first.to == "idle")
        #expect(first.gain == 25, "87.5 % → 62.5 %, idle 12.5 % → 37.5 %")
        #expect(first.reason == "full 87.5 % → 62.5 %, idle 12.5 % → 37.5 %")
        #expect(moves.allSatisfy { $0.gain >= 1 })
        // After the moves the two are within a move of each other: nothing left to gain.
        #expect(moves.count <= 2)
    }

    @Test("an app never leaves an always-on device for one that is not, nor crosses architectures")
    func constraints() {
        let full = Mock.nas("full").with { $0.memoryAvailableBytes = Self.gib; $0.apps = [Self.app("pihole", 2)] }
        let laptop = Mock.laptop().with { $0.memoryAvailableBytes = 15 * Self.gib }
        #expect(Scheduler().rebalance(Mock.homelab([full, laptop, Mock.bigPi4()])).isEmpty)
    }
}
