import CLI
import Foundation
import Protocol
import Synchronization

/// Answers the API routes the CLI uses from fixtures, as the controller's contract says, and records requests.
struct FakeController: Sendable {
    static let token = "admin-token"

    /// The requests the server answered, in order.
    final class RequestLog: Sendable {
        private let requests = Mutex<[TestRequest]>([])
        func append(_ request: TestRequest) { requests.withLock { $0.append(request) } }
        var all: [TestRequest] { requests.withLock { $0 } }
    }

    let certificates: TestCertificates
    let log: RequestLog
    let server: TestTLSServer

    /// Starts a fake controller with its own CA.
    static func start() async throws -> FakeController {
        let certificates = try TestCertificates()
        let ca = try CACertificate(pemFile: certificates.caPath)
        let log = RequestLog()
        let server = try await TestTLSServer.start(certificates: certificates) { request in
            log.append(request)
            return answer(request, ca: ca)
        }
        return FakeController(certificates: certificates, log: log, server: server)
    }

    var url: String { server.url }
    var received: [TestRequest] { log.all }

    func stop() async {
        try? await server.stop()
        certificates.directory.remove()
    }

    private static func answer(_ request: TestRequest, ca: CACertificate) -> TestResponse {
        guard request.authorization == "Bearer \(token)" else {
            return error(401, "unauthorized", "missing or unknown token")
        }
        switch (request.method, request.path) {
        case ("GET", "/v1/controller"):
            return json(ControllerInfo(version: "0.1.0", caFingerprint: "SHA256:\(ca.fingerprint.hex)", agentAddress: "127.0.0.1:7444"))
        case ("GET", "/v1/devices"):
            return json(ListResponse(items: Fixtures.devices))
        case ("GET", "/v1/devices/pi-4"):
            return json(Fixtures.pi)
        case ("POST", "/v1/devices/pi-zero/approve"):
            var device = Fixtures.newcomer
            device.status = .online
            return json(device)
        case ("POST", "/v1/devices/pi-4/approve"):
            return error(409, "conflict", "device pi-4 is not pending")
        case ("DELETE", "/v1/devices/nas"):
            return TestResponse(status: 204, body: "")
        case ("POST", "/v1/tokens"):
            let asked = try? WireCoding.decoder.decode(CreateTokenRequest.self, from: Data(request.body.utf8))
            var resource = Fixtures.token
            resource.reusable = asked?.reusable ?? false
            resource.labels = asked?.labels ?? [:]
            return json(CreatedToken(token: "HLJ1.\(String(repeating: "ab", count: 32)).tk-1.s3cret", resource: resource), status: 201)
        default:
            return error(404, "not_found", "no route or no such thing: \(request.path)")
        }
    }

    private static func json(_ value: some Encodable, status: Int = 200) -> TestResponse {
        TestResponse(status: status, body: String(decoding: try! WireCoding.encoder.encode(value), as: UTF8.self))
    }

    private static func error(_ status: Int, _ code: String, _ message: String) -> TestResponse {
        json(APIErrorResponse(code: code, message: message), status: status)
    }
}
