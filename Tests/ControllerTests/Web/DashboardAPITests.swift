@testable import Controller
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Protocol
import Testing

@Suite("API routes the dashboard added")
struct DashboardAPITests {
    @Test("the activity feed pages newest first and refuses a limit out of bounds")
    func activityPages() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        let store = fixture.controller.context.store
        try await store.write { db in
            for index in 1...5 {
                try EventRecord(id: nil, time: Date(timeIntervalSince1970: Double(1_800_000_000 + index)), type: "deployment.running",
                                deviceID: nil, message: "event \(index)", deployment: "app\(index)").insert(db)
            }
        }
        let admin: HTTPFields = [.authorization: "Bearer \(fixture.admin)"]
        try await fixture.app.test(.router) { client in
            func page(_ query: String) async throws -> ActivityPage {
                try await client.execute(uri: "/v1/activity?\(query)", method: .get, headers: admin) {
                    try WireCoding.decoder.decode(ActivityPage.self, from: Data($0.body.readableBytesView))
                }
            }
            let first = try await page("limit=2")
            #expect(first.items.map(\.message) == ["event 5", "event 4"])
            #expect(first.items.first?.deployment == "app5")
            let second = try await page("limit=2&before=\(try #require(first.next))")
            #expect(second.items.map(\.message) == ["event 3", "event 2"])
            let last = try await page("limit=2&before=\(try #require(second.next))")
            #expect(last.items.map(\.message) == ["event 1"])
            #expect(last.next == nil)
            for bad in ["limit=0", "limit=201", "limit=x", "before=-1"] {
                try await client.execute(uri: "/v1/activity?\(bad)", method: .get, headers: admin) { #expect($0.status == .badRequest, "\(bad)") }
            }
        }
    }

    @Test("PATCH /v1/devices/{name} refuses bad labels with the field named, and an unknown device with 404")
    func labelChecks() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        let admin: HTTPFields = [.authorization: "Bearer \(fixture.admin)", .contentType: "application/json"]
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/v1/devices/ghost", method: .patch, headers: admin, body: ByteBuffer(string: #"{"labels":{"a":"b"}}"#)) {
                #expect($0.status == .notFound)
            }
            for bad in [#"{"labels":{"-x":"b"}}"#, #"{"labels":{"a b":"c"}}"#, #"{}"#] {
                try await client.execute(uri: "/v1/devices/ghost", method: .patch, headers: admin, body: ByteBuffer(string: bad)) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    let error = try WireCoding.decoder.decode(APIErrorResponse.self, from: Data(response.body.readableBytesView))
                    #expect(error.error.message.contains("labels"), "\(bad): \(error.error.message)")
                }
            }
        }
    }

    @Test("device health: green, yellow and red at the thresholds, red when unreachable, none while pending")
    func health() throws {
        func device(_ status: DeviceStatus, cpu: Double, memoryUsed: UInt64, diskUsed: UInt64) -> DeviceResource {
            DeviceResource(id: "d", name: "d", status: status, keyFingerprint: "SHA256:x", createdAt: Date(), metrics: MetricsSample(
                time: Date(), cpu: CPUUsage(totalPercent: cpu, perCorePercent: []),
                memory: MemoryUsage(totalBytes: 100, availableBytes: 100 - memoryUsed, swapTotalBytes: 0, swapUsedBytes: 0),
                filesystems: [FilesystemUsage(mountPoint: "/", device: "/dev/sda1", type: "ext4", sizeBytes: 100, usedBytes: diskUsed, availableBytes: 100 - diskUsed)]))
        }
        let standard = HealthThresholds()
        #expect(DeviceHealth.evaluate(device(.online, cpu: 10, memoryUsed: 69, diskUsed: 5), thresholds: standard)?.level == .green)
        #expect(DeviceHealth.evaluate(device(.online, cpu: 10, memoryUsed: 71, diskUsed: 5), thresholds: standard)?.level == .yellow)
        let red = try #require(DeviceHealth.evaluate(device(.online, cpu: 10, memoryUsed: 20, diskUsed: 95), thresholds: standard))
        #expect(red.level == .red && red.worst == .disk)
        #expect(red.reason.hasPrefix("disk 95 %"), "\(red.reason)")
        #expect(DeviceHealth.evaluate(device(.offline, cpu: 1, memoryUsed: 1, diskUsed: 1), thresholds: standard)?.reason == "unreachable")
        #expect(DeviceHealth.evaluate(device(.pending, cpu: 1, memoryUsed: 1, diskUsed: 1), thresholds: standard) == nil)
        let strict = HealthThresholds(warningPercent: 50, criticalPercent: 80)
        #expect(DeviceHealth.evaluate(device(.online, cpu: 60, memoryUsed: 1, diskUsed: 1), thresholds: strict)?.level == .yellow)
    }
}
