@testable import Controller
import Crypto
import Foundation
import Protocol
import Testing

/// The agent port's limits on who may ask to join (issue 14, row 4).
@Suite("Enrollment limits")
struct EnrollmentLimitTests {
    /// A signed enrollment request for a fresh key, as an agent would make it.
    static func request(name: String, challenge: String, hostname: String? = nil) -> EnrollRequest {
        let key = P256.Signing.PrivateKey()
        let deviceID = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let publicKey = key.publicKey.derRepresentation.base64EncodedString()
        let signature = try! key.signature(for: EnrollRequest.signedBytes(challenge: challenge, deviceID: deviceID, publicKey: publicKey))
        let facts = hostname.map { DeviceFacts(hostname: $0, architecture: "x86_64", cpu: CPUInfo(model: nil, cores: 1, maxFrequencyMHz: nil), agentVersion: "test") }
        return EnrollRequest(token: nil, deviceID: deviceID, name: name, publicKey: publicKey,
                             signature: signature.derRepresentation.base64EncodedString(), facts: facts)
    }

    @Test("pending devices are capped: past the cap the one that asked longest ago is dropped, and the list stays small")
    func pendingCapped() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var limits = ListenerLimits()
        limits.maximumPendingDevices = 5
        let controller = try await TestController.start(stateDirectory: dir, limits: limits)
        let enrollment = controller.app.context.enrollment
        var names: [String] = []
        for index in 0..<30 {
            let reply = try await enrollment.enroll(Self.request(name: "flood-\(index)", challenge: "c"), challenge: "c", address: "198.18.0.99",
                                                    now: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)))
            #expect(reply.status == .pending)
            names.append(reply.name)
        }
        let pending = try await controller.registry.list().filter { $0.status == .pending }.map(\.name)
        #expect(pending.sorted() == names.suffix(5).sorted(), "the newest five wait, the older ones were dropped")
        await controller.stop()
    }

    @Test("facts larger than the bound (a 3 MB host name) are refused and nothing is stored")
    func factsBounded() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir)
        let request = Self.request(name: "big", challenge: "c", hostname: String(repeating: "h", count: 3 << 20))
        let error = await #expect(throws: HomelabError.self) {
            _ = try await controller.app.context.enrollment.enroll(request, challenge: "c", address: "198.18.0.99")
        }
        #expect(error?.code == .malformedMessage)
        #expect(try await controller.registry.list().isEmpty)
        await controller.stop()
    }

    @Test("one address may ask to join only so often; other addresses are not held back")
    func enrollmentRate() {
        let limiter = RateLimiter(perMinute: 30)
        let start = ContinuousClock.now
        let allowed = (0..<100).filter { _ in limiter.allow("198.18.0.99", now: start) }.count
        #expect(allowed == 30)
        #expect(limiter.allow("198.18.0.98", now: start))
        #expect(limiter.allow("198.18.0.99", now: start + .seconds(2)), "a token comes back every two seconds")
        #expect(!limiter.allow("198.18.0.99", now: start + .seconds(2)))
    }

    @Test("the agent port closes connections over the per-address cap at once")
    func agentPortPerAddressCap() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var limits = ListenerLimits()
        limits.agentConnectionsPerAddress = 2
        let controller = try await TestController.start(stateDirectory: dir, limits: limits)
        let ca = try controller.app.context.authority.nioCertificate()
        let held = [try await RawHTTPS.connect(port: controller.agentPort, ca: ca, tls: false), try await RawHTTPS.connect(port: controller.agentPort, ca: ca, tls: false)]
        try await Task.sleep(for: .milliseconds(200))
        let extra = try await RawHTTPS.connect(port: controller.agentPort, ca: ca, tls: false)
        #expect(try await extra.read(for: .seconds(5)).closed)
        for connection in held { connection.channel.channel.close(promise: nil) }
        await controller.stop()
    }
}
